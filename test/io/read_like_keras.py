"""Reads a .keras or legacy .h5 file with h5py the way Keras's loaders do, and prints what it found
as JSON, so a test can check Convkit's files with an independent HDF5 reader.

The reading rules are Keras's (keras/src/saving/saving_lib.py: H5IOStore.get, safe_get_h5_group,
safe_get_h5_dataset; keras/src/legacy/saving/legacy_h5_format.py: load_attributes_from_hdf5_group
and load_subset_weights_from_hdf5_group), written here from their description, not copied.

Usage: /usr/bin/python3 read_like_keras.py FILE [LAYER_PATH ...]
"""
import io
import json
import sys
import zipfile

import h5py
import numpy as np


def refuse_links_and_external(f):
    problems = []

    def visit(group, prefix):
        for name in group:
            link = group.get(name, getlink=True)
            path = f"{prefix}/{name}"
            if isinstance(link, (h5py.SoftLink, h5py.ExternalLink)):
                problems.append(f"{type(link).__name__} at {path}")
                continue
            obj = group[name]
            if isinstance(obj, h5py.Group):
                visit(obj, path)
            elif isinstance(obj, h5py.Dataset):
                if obj.external:
                    problems.append(f"external dataset at {path}")
                if obj.is_virtual:
                    problems.append(f"virtual dataset at {path}")

    visit(f, "")
    return problems


def describe(ds):
    return {"shape": list(ds.shape), "dtype": str(ds.dtype)}


def vars_of(h5, path):
    """H5IOStore.get(path): the `vars` group under `path` (or the root's), datasets "0".."n-1"."""
    if path and path not in h5:
        return None
    group = h5[path] if path else h5
    if "vars" not in group:
        return None
    vars_group = group["vars"]
    return {
        "names": sorted(vars_group.keys(), key=int),
        "arrays": [describe(vars_group[str(i)]) for i in range(len(vars_group))],
        "attrs": {k: str(v) for k, v in vars_group.attrs.items()},
    }


def read_keras(path, layer_paths):
    zf = zipfile.ZipFile(path)
    members = {i.filename: {"compress_type": i.compress_type, "size": i.file_size} for i in zf.infolist()}
    metadata = json.loads(zf.read("metadata.json"))
    config = json.loads(zf.read("config.json"))
    h5 = h5py.File(io.BytesIO(zf.read("model.weights.h5")), "r")
    groups = []
    h5.visit(lambda name: groups.append(name) if isinstance(h5[name], h5py.Group) else None)
    return {
        "members": members,
        "metadata": metadata,
        "config": config,
        "problems": refuse_links_and_external(h5),
        "groups": sorted(groups),
        "layers": {p: vars_of(h5, p) for p in layer_paths},
        "optimizer": vars_of(h5, "optimizer"),
        "optimizer_scalars": [
            {"dtype": str(h5["optimizer/vars"][k].dtype), "shape": list(h5["optimizer/vars"][k].shape)}
            for k in ("0", "1")
            if "optimizer" in h5 and k in h5["optimizer/vars"]
        ],
    }


def attribute_list(group, name):
    """load_attributes_from_hdf5_group: whole, or split into name0, name1, ..."""
    def decode(values):
        return [v.decode("utf8") if hasattr(v, "decode") else str(v) for v in values]

    if name in group.attrs:
        return decode(group.attrs[name])
    out, i = [], 0
    while f"{name}{i}" in group.attrs:
        out += decode(group.attrs[f"{name}{i}"])
        i += 1
    return out


def read_legacy(path):
    f = h5py.File(path, "r")
    model_config = f.attrs["model_config"]
    if hasattr(model_config, "decode"):
        model_config = model_config.decode("utf8")
    training_config = f.attrs.get("training_config")
    if hasattr(training_config, "decode"):
        training_config = training_config.decode("utf8")
    group = f["model_weights"]
    layers = {}
    for name in attribute_list(group, "layer_names"):
        layer_group = group[name]
        names = attribute_list(layer_group, "weight_names")
        layers[name] = [dict(describe(layer_group[w]), name=w) for w in names]
    return {
        "root_attrs": sorted(f.attrs.keys()),
        "model_config": json.loads(model_config),
        "training_config": json.loads(training_config) if training_config else None,
        "weights_attrs": sorted(group.attrs.keys()),
        "layer_names": attribute_list(group, "layer_names"),
        "layers": layers,
        "problems": refuse_links_and_external(f),
    }


if __name__ == "__main__":
    file = sys.argv[1]
    result = read_keras(file, sys.argv[2:]) if file.endswith(".keras") else read_legacy(file)
    print(json.dumps(result, default=lambda o: o.tolist() if isinstance(o, np.ndarray) else str(o)))
