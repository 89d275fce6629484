"""Reference outputs for models whose MediaPipe custom ops stock LiteRT lacks
and that have no builtin rewrite (face_landmark_with_attention).

The op list is cut into runs: each maximal run of builtin ops becomes its own
small model (same tensors and buffers, only those ops; its inputs are the
non-constant tensors it reads but does not make, its outputs the tensors
read later or returned) and runs in LiteRT with reference kernels; each
custom op between runs is computed here in numpy, following the semantics of
MediaPipe's CPU kernels (mediapipe/util/tflite/operations/*.cc, version 2):

  Landmarks2TransformMatrix  landmarks [1,N,3] -> 4x4 matrix [1,4,4]
  TransformTensorBilinear    feature map [1,H,W,C], matrix -> [1,h,w,C]
  TransformLandmarks         landmarks [1,N,2|3], matrix -> same shape

Arithmetic is in float32 like the C++ kernels. This is an independent
reading of those semantics, so the report names it ("LiteRT + numpy custom
ops") rather than calling it pure LiteRT.
"""
import copy

import numpy as np

F = np.float32


# -------------------------------------------------------------- custom ops

def _flex_options(raw):
    from flatbuffers import flexbuffers
    return flexbuffers.Loads(bytes(raw)) if raw is not None and len(raw) else {}


def landmarks_to_transform_matrix_v2(landmarks, opts, out_shape):
    """Crop transform from a landmark subset: rotation from two landmarks,
    centre and size of the rotated subset's bounding box."""
    lm = landmarks.reshape(-1, 3).astype(F)
    idx = [int(i) for i in opts["subset_idxs"]]
    if len(idx) % 2:  # an odd list pairs its last index with itself
        idx.append(idx[-1])
    left, right = lm[int(opts["left_rotation_idx"])], lm[int(opts["right_rotation_idx"])]
    rot = F(np.arctan2(F(right[1] - left[1]), F(right[0] - left[0])))
    rot = F(F(opts.get("target_rotation_radians", 0.0)) - rot)

    def mat3(r):
        c, s = F(np.cos(r)), F(np.sin(r))
        return np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]], F)

    pts = np.concatenate([lm[idx, :2], np.ones((len(idx), 1), F)], axis=1)
    pts = (mat3(rot) @ pts.T).T.astype(F)
    mx, mn = pts.max(axis=0), pts.min(axis=0)
    crop_w, crop_h = F(mx[0] - mn[0]), F(mx[1] - mn[1])
    centre = np.array([(mn[0] + mx[0]) / F(2), (mn[1] + mx[1]) / F(2), F(1)], F)
    centre = (mat3(-rot) @ centre).astype(F)

    out_w, out_h = int(opts["output_width"]), int(opts["output_height"])
    r = F(-rot)
    c, s = F(np.cos(r)), F(np.sin(r))
    t = np.eye(4, dtype=F)
    t = (t @ np.array([[1, 0, 0, centre[0]], [0, 1, 0, centre[1]],
                       [0, 0, 1, 0], [0, 0, 0, 1]], F)).astype(F)
    t = (t @ np.array([[c, -s, 0, 0], [s, c, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]], F)).astype(F)
    sx = F(F(opts["scale_x"]) * crop_w / F(out_w))
    sy = F(F(opts["scale_y"]) * crop_h / F(out_h))
    t = (t @ np.diag(np.array([sx, sy, 1, 1], F))).astype(F)
    t = (t @ np.array([[1, 0, 0, -out_w / 2.0], [0, 1, 0, -out_h / 2.0],
                       [0, 0, 1, 0], [0, 0, 0, 1]], F)).astype(F)
    return t.reshape(out_shape)


def transform_tensor_bilinear_v2(data, matrix, opts, out_shape):
    """Samples data (batch 0) at matrix * (x, y, 0, 1) for each output pixel,
    with the half-pixel (align corners) correction; outside is 0."""
    m = matrix.reshape(-1).astype(F)
    xt = m[0:4].copy()
    yt = m[4:8].copy()
    xt[3] = F(xt[3] + xt[0] * F(0.5) + xt[1] * F(0.5) - F(0.5))
    yt[3] = F(yt[3] + yt[0] * F(0.5) + yt[1] * F(0.5) - F(0.5))
    _, ih, iw, ch = data.shape
    _, oh, ow, oc = out_shape
    img = data[0].astype(F)
    out = np.zeros((oh, ow, oc), F)

    def read(h, w):
        if h < 0 or w < 0 or h >= ih or w >= iw:
            return np.zeros(ch, F)
        return img[h, w]

    for oy in range(oh):
        for ox in range(ow):
            tx = F(xt[0] * F(ox) + xt[1] * F(oy) + xt[3])
            ty = F(yt[0] * F(ox) + yt[1] * F(oy) + yt[3])
            if tx < 0 or tx > iw - 1 or ty < 0 or ty > ih - 1:
                continue
            fx, fy = int(np.floor(tx)), int(np.floor(ty))
            rx, ry = F(tx - fx), F(ty - fy)
            upper = (F(1) - rx) * read(fy, fx) + rx * read(fy, fx + 1)
            lower = (F(1) - rx) * read(fy + 1, fx) + rx * read(fy + 1, fx + 1)
            out[oy, ox] = (ry * lower + (F(1) - ry) * upper)[:oc]
    return out.reshape(out_shape)


def transform_landmarks_v2(landmarks, matrix, opts, out_shape):
    """x' = m00 x + m01 y + m03, y' = m10 x + m11 y + m13; z is kept."""
    m = matrix.reshape(-1).astype(F)
    dims = out_shape[-1]
    lm = landmarks.reshape(-1, dims).astype(F)
    out = lm.copy()
    out[:, 0] = m[0] * lm[:, 0] + m[1] * lm[:, 1] + m[3]
    out[:, 1] = m[4] * lm[:, 0] + m[5] * lm[:, 1] + m[7]
    return out.reshape(out_shape)


def _run_custom(name, version, args, opts, out_shape):
    if version != 2 and name != "Convolution2DTransposeBias":
        raise NotImplementedError(f"{name} version {version}")
    if name == "Landmarks2TransformMatrix":
        return landmarks_to_transform_matrix_v2(args[0], opts, out_shape)
    if name == "TransformTensorBilinear":
        return transform_tensor_bilinear_v2(args[0], args[1], opts, out_shape)
    if name == "TransformLandmarks":
        return transform_landmarks_v2(args[0], args[1], opts, out_shape)
    raise NotImplementedError(f"no numpy reference for custom op {name}")


SUPPORTED = {"Landmarks2TransformMatrix", "TransformTensorBilinear", "TransformLandmarks"}


# ------------------------------------------------------- segmented runner

def _const_tensors(model, sg):
    return {i for i, t in enumerate(sg.tensors)
            if t.buffer and t.buffer < len(model.buffers)
            and model.buffers[t.buffer].data is not None
            and len(model.buffers[t.buffer].data) > 0}


def run(model_bytes, inputs, cuts=()):
    """Runs subgraph 0 on inputs (list in model input order); returns the
    outputs and the op count. `cuts` adds run boundaries (for testing the
    cutting itself on builtin-only models)."""
    from ai_edge_litert import interpreter as litert
    from tensorflow.lite.tools import flatbuffer_utils as fu
    model = fu.read_model_from_bytearray(bytearray(model_bytes))
    sg = model.subgraphs[0]
    ops = list(sg.operators)
    consts = _const_tensors(model, sg)
    codes = [model.operatorCodes[op.opcodeIndex].customCode for op in ops]

    # Runs of builtins, custom ops alone.
    runs, start = [], 0
    for i, c in enumerate(codes + [b"<end>"]):
        if i in cuts and start < i:
            runs.append(("builtin", start, i))
            start = i
        if c:
            if start < i:
                runs.append(("builtin", start, i))
            if i < len(ops):
                runs.append(("custom", i, i + 1))
            start = i + 1

    values = {int(t): np.asarray(a) for t, a in zip(sg.inputs, inputs)}
    model_outputs = [int(t) for t in sg.outputs]

    def needed_after(end):
        later = set(model_outputs)
        for op in ops[end:]:
            later.update(int(t) for t in op.inputs if t >= 0)
        return later

    for kind, a, b in runs:
        if kind == "custom":
            op = ops[a]
            oc = model.operatorCodes[op.opcodeIndex]
            args = [values[int(t)] if int(t) not in consts else
                    np.frombuffer(bytes(model.buffers[sg.tensors[t].buffer].data),
                                  F).reshape(tuple(sg.tensors[t].shape))
                    for t in op.inputs if t >= 0]
            out_t = int(op.outputs[0])
            out_shape = tuple(int(d) for d in sg.tensors[out_t].shape)
            values[out_t] = _run_custom(oc.customCode.decode(), oc.version, args,
                                        _flex_options(op.customOptions), out_shape)
            continue
        seg_ops = ops[a:b]
        made = {int(t) for op in seg_ops for t in op.outputs}
        reads = []
        for op in seg_ops:
            for t in op.inputs:
                t = int(t)
                if t >= 0 and t not in made and t not in consts and t not in reads:
                    reads.append(t)
        later = needed_after(b)
        writes = sorted(t for t in made if t in later)
        seg = copy.copy(model)
        sub = copy.copy(sg)
        sub.operators = seg_ops
        sub.inputs = np.array(reads, np.int32)
        sub.outputs = np.array(writes, np.int32)
        seg.subgraphs = [sub]
        seg.signatureDefs = []
        blob = bytes(fu.convert_object_to_bytearray(seg))
        interp = litert.Interpreter(
            model_content=blob,
            experimental_op_resolver_type=litert.OpResolverType.BUILTIN_REF)
        interp.allocate_tensors()
        for d in interp.get_input_details():
            interp.set_tensor(d["index"], values[int(d["index"])].astype(d["dtype"]))
        interp.invoke()
        for d in interp.get_output_details():
            values[int(d["index"])] = np.array(interp.get_tensor(d["index"]))
    return [values[t] for t in model_outputs], len(ops)
