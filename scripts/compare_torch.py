"""Table of jx vs PyTorch times (minimum over repetitions) for scripts/compare-torch (vmap
workloads) and scripts/compare-torch-grad (differentiation workloads: second argument "grad")."""
import json
import os
import sys

# (label, jx benchmark, torch workload, torch variant)
ROWS = [
    ("W1 predict 1M x 16: vmap", "BM_predict_vmap", "W1_predict", "functorch.vmap"),
    ("W1 predict: hand-batched", "BM_predict_hand", "W1_predict", "hand_batched"),
    ("W2 pairwise 2048^2 x 64: nested vmap", "BM_pairwise_vmap", "W2_pairwise",
     "functorch.vmap(vmap)"),
    ("W2 pairwise: broadcasting by hand", "BM_pairwise_broadcast", "W2_pairwise",
     "hand_broadcast"),
    ("W6 normalize 4096x28x28: vmap out 0", "BM_normalize_vmap", "W6_normalize",
     "functorch.vmap(out_dims=0)"),
    ("W6 normalize: vmap out -1 (contiguous)", "BM_normalize_vmap_out_last", "W6_normalize",
     "functorch.vmap(out_dims=-1)+contiguous"),
    ("W6 normalize: hand-batched", "BM_normalize_hand", "W6_normalize", "hand_batched"),
]

GRAD_ROWS = [
    ("W3 per-example grads B=512: vmap(grad)", "BM_per_example_grad_vmap",
     "W3_per_example_grad", "functorch.vmap(grad)"),
    ("W3 per-example grads: hand-batched", "BM_per_example_grad_hand", "W3_per_example_grad",
     "hand_batched"),
    ("W3 loop of grad over 64 examples", "BM_per_example_grad_loop64", "W3_per_example_grad",
     "python_loop_autograd(B=64)"),
    ("W5 jacrev(softmax) n=512", "BM_jacrev_softmax", "W5_jacrev_softmax", "functorch.jacrev"),
    ("W5 softmax Jacobian: diag(s) - s s^T", "BM_jacobian_softmax_hand", "W5_jacrev_softmax",
     "hand_formula"),
    ("W5 vmap(jacrev(softmax)) 64 x 512", "BM_vmap_jacrev_softmax", "W5_jacrev_softmax_batched",
     "functorch.vmap(jacrev)"),
    ("W5 batched: diag(s) - s s^T", "BM_batched_jacobian_softmax_hand",
     "W5_jacrev_softmax_batched", "hand_formula"),
]

# jx-only ratios printed under the grad table: (label, numerator, denominator, target).
GRAD_RATIOS = [
    ("W3 vmap(grad) / hand-batched (target <= 2)", "BM_per_example_grad_vmap",
     "BM_per_example_grad_hand"),
    ("W5 jacrev / closed form", "BM_jacrev_softmax", "BM_jacobian_softmax_hand"),
    ("W5 vmap(jacrev) / closed form", "BM_vmap_jacrev_softmax",
     "BM_batched_jacobian_softmax_hand"),
    ("grad(x*x+1) on a scalar / eager f (dispatch)", "BM_grad_scalar", "BM_eval_scalar"),
]


def load_peer_rows(path):
    """The measurement lines of a peer's JSON-lines output (../shared/peers/*_bench.py)."""
    rows = []
    if not os.path.exists(path):
        return rows
    with open(path) as f:
        for line in f:
            try:
                d = json.loads(line)
            except json.JSONDecodeError:
                continue
            if "workload" in d:
                rows.append(d)
    return rows


def load_torch(path):
    return {(d["workload"], d["variant"]): d["seconds_min"] * 1e3 for d in load_peer_rows(path)}


def load_jx(path):
    best = {}
    with open(path) as f:
        for b in json.load(f)["benchmarks"]:
            if b.get("run_type") == "aggregate":
                continue
            name = b.get("run_name", b["name"]).replace("/real_time", "")
            scale = {"ms": 1.0, "us": 1e-3, "ns": 1e-6, "s": 1e3}[b["time_unit"]]
            t = b["real_time"] * scale
            best[name] = min(best.get(name, t), t)
    return best


def main():
    out = sys.argv[1]
    grad = len(sys.argv) > 2 and sys.argv[2] == "grad"
    rows = GRAD_ROWS if grad else ROWS
    jx = load_jx(os.path.join(out, "jx.json"))
    torch = load_torch(os.path.join(out, "torch.jsonl"))
    torch_je = load_torch(os.path.join(out, "torch_jemalloc.jsonl"))
    print(f'{"workload":42} {"jx ms":>9} {"torch ms":>9} {"ratio":>6} {"+jemalloc":>10} {"ratio":>6}')
    for label, jx_name, wl, variant in rows:
        j = jx.get(jx_name)
        t = torch.get((wl, variant))
        te = torch_je.get((wl, variant))
        def cell(v):
            return f"{v:9.2f}" if v is not None else f'{"-":>9}'
        def ratio(v):
            return f"{v / j:6.2f}" if v is not None and j else f'{"-":>6}'
        print(f"{label:42} {cell(j)} {cell(t)} {ratio(t)} {cell(te):>10} {ratio(te)}")
    print("ratio = torch time / jx time (> 1: jx faster)")
    if grad:
        print()
        for label, num, den in GRAD_RATIOS:
            n, d = jx.get(num), jx.get(den)
            if n is not None and d:
                print(f"{label:48} {n / d:7.2f}x   ({n * 1e3:.1f} us / {d * 1e3:.1f} us)")


if __name__ == "__main__":
    main()
