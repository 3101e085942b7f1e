"""Table of jx vs JAX (XLA:CPU) times, minimum over repetitions, for scripts/compare-jax."""
import json
import os
import sys

from compare_torch import load_jx, load_peer_rows

# (label, jx benchmark, JAX workload, JAX variant, JAX time field)
ROWS = [
    ("J1 cached call x*2+1 f32[8]", "BM_jit_dispatch", "J1_dispatch", None, "seconds_per_call_min"),
    ("W1 jit(vmap(predict)) 1M x 16", "BM_W1_jit", "W1_predict", "jit(vmap)", "seconds_min"),
    ("W2 jit(pairwise) 2048^2 x 64", "BM_W2_jit", "W2_pairwise", "jit(vmap(vmap))", "seconds_min"),
    ("W3 jit(vmap(grad)) B=512", "BM_W3_jit", "W3_per_example_grad", "jit(vmap(grad))",
     "seconds_min"),
    ("W5 jit(jacrev(softmax)) n=512", "BM_W5_jit", "W5_jacrev_softmax", "jit(jacrev)",
     "seconds_min"),
    ("W5 jit(vmap(jacrev(softmax))) 64x512", "BM_W5_batched_jit", "W5_jacrev_softmax_batched",
     "jit(vmap(jacrev))", "seconds_min"),
    ("W6 jit(vmap(normalize)) 4096x28x28", "BM_W6_jit", "W6_normalize", "jit(vmap)", "seconds_min"),
    ("W6 ... out_axes=-1", "BM_W6_jit_out_axes_last", "W6_normalize", "jit(vmap) out_axes=-1",
     "seconds_min"),
    ("W7 jit(dropout) 1e7", "BM_W7_jit", "W7_dropout", "jit(bernoulli*x/0.9)", "seconds_min"),
    ("J2 jit(10 elementwise ops) 16M", "BM_J2_jit", "J2_elementwise_chain", None, "seconds_min"),
    ("J3 jit(sum) 4096^2", "BM_J3_sum_all_jit", "J3_reduce", "jit(sum) all", "seconds_min"),
    ("J3 jit(sum(axis=0))", "BM_J3_sum_axis0_jit", "J3_reduce", "jit(sum(axis=0))", "seconds_min"),
    ("J3 jit(sum(axis=1))", "BM_J3_sum_axis1_jit", "J3_reduce", "jit(sum(axis=1))", "seconds_min"),
]
# First calls (trace + optimise + plan + code generation by LLVM) of the tour's functions in jx,
# beside JAX's first call (trace + XLA compile) of the nearest workload.
FIRST = [
    ("first call: vmap(predict)", "BM_first_call_predict/1", "W1_predict", "jit(vmap)"),
    ("first call: vmap(normalize)", "BM_first_call_normalize/1", "W6_normalize", "jit(vmap)"),
    ("first call: pairwise", "BM_first_call_pairwise/1", "W2_pairwise", "jit(vmap(vmap))"),
    ("first call: vmap(grad)", "BM_first_call_per_example_grad/1", "W3_per_example_grad",
     "jit(vmap(grad))"),
    ("first call: jacrev(softmax)", "BM_first_call_jacrev_softmax/1", "W5_jacrev_softmax",
     "jit(jacrev)"),
]


def find(rows, workload, variant):
    for d in rows:
        if d["workload"] == workload and (variant is None or d["variant"] == variant):
            return d
    return None


def main():
    out = sys.argv[1]
    jx = load_jx(os.path.join(out, "jx.json"))
    jax = load_peer_rows(os.path.join(out, "jax.jsonl"))
    print(f'{"workload":40} {"jx ms":>10} {"JAX ms":>10} {"JAX / jx":>9}')
    for label, name, wl, variant, field in ROWS:
        j, d = jx.get(name), find(jax, wl, variant)
        t = d[field] * 1e3 if d and field in d else None
        cell = lambda v: f"{v:10.4f}" if v is not None else f'{"-":>10}'
        ratio = f"{t / j:9.2f}" if t is not None and j else f'{"-":>9}'
        print(f"{label:40} {cell(j)} {cell(t)} {ratio}")
    print()
    for label, name, wl, variant in FIRST:
        j, d = jx.get(name), find(jax, wl, variant)
        t = d["seconds_first"] * 1e3 if d else None
        cell = lambda v: f"{v:10.4f}" if v is not None else f'{"-":>10}'
        ratio = f"{t / j:9.0f}" if t is not None and j else f'{"-":>9}'
        print(f"{label:40} {cell(j)} {cell(t)} {ratio}")
    print("ratio = JAX time / jx time (> 1: jx faster); minimum over repetitions")


if __name__ == "__main__":
    main()
