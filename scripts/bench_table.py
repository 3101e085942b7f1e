"""Prints the benchmark ratio table: each jx benchmark beside its baseline from the same run."""
import json
import sys

# (jx benchmark, baseline, what the ratio means)
PAIRS = [
    ("BM_add_jx", "BM_add_std_transform", "add 16M f32 vs std::transform (1 thread)"),
    ("BM_add_jx", "BM_add_plain_2threads", "add 16M f32 vs plain 2-thread loop (bandwidth)"),
    ("BM_sum_jx", "BM_sum_std_accumulate", "sum 64M f32 vs std::accumulate (1 thread)"),
    ("BM_sum_jx", "BM_sum_plain_2threads", "sum 64M f32 vs plain 2-thread loop (bandwidth)"),
    ("BM_matmul_jx", "BM_matmul_dnnl_sgemm", "matmul 2048^3 f32 vs dnnl_sgemm"),
    ("BM_transpose_jx", "BM_copy_memcpy", "transpose 4096^2 f32 vs 2-thread memcpy (view cost)"),
    ("BM_predict_vmap", "BM_predict_hand", "vmap(predict) 1M x 16 vs hand-batched (>= 0.83)"),
    ("BM_pairwise_vmap", "BM_pairwise_broadcast", "pairwise 2048^2 x 64: nested vmap vs broadcasting"),
    ("BM_pairwise_small_vmap", "BM_pairwise_small_loop",
     "pairwise 128^2 x 64: nested vmap vs C++ loop of calls"),
    ("BM_normalize_vmap", "BM_normalize_hand", "vmap(normalize) 4096x28x28 vs hand-batched jnp"),
    ("BM_normalize_vmap", "BM_normalize_plain_2threads",
     "vmap(normalize) 4096x28x28 vs plain 2-thread C++ (bandwidth)"),
    ("BM_normalize_vmap_out_last", "BM_normalize_vmap", "normalize out_axes=-1 vs out_axes=0"),
    ("BM_per_example_grad_vmap", "BM_per_example_grad_hand",
     "W3 vmap(grad) B=512 vs hand-derived batched grad (>= 0.5)"),
    ("BM_jacrev_softmax", "BM_jacobian_softmax_hand", "jacrev(softmax) n=512 vs diag(s) - s s^T"),
    ("BM_vmap_jacrev_softmax", "BM_batched_jacobian_softmax_hand",
     "vmap(jacrev(softmax)) 64 x 512 vs batched closed form"),
    ("BM_grad_scalar", "BM_eval_scalar", "grad(x*x+1) on a scalar vs eager f (dispatch)"),
    ("BM_jit_dispatch", "BM_eager_dispatch", "jit(x*2+1) f32[8] cached call vs eager (<= 1 us)"),
    ("BM_W1_jit", "BM_W1_eager", "W1 jit(vmap(predict)) 1M x 16 vs eager"),
    ("BM_W2_jit", "BM_W2_eager", "W2 jit(pairwise) 2048^2 x 64 vs eager"),
    ("BM_W3_jit", "BM_W3_eager", "W3 jit(vmap(grad)) B=512 vs eager"),
    ("BM_W4_jit", "BM_W4_eager", "W4 jit(vmap(rnn)) T=100 unrolled, B=64 vs eager"),
    ("BM_W5_jit", "BM_W5_eager", "W5 jit(jacrev(softmax)) n=512 vs eager"),
    ("BM_W6_jit", "BM_W6_eager", "W6 jit(vmap(normalize)) 4096x28x28 vs eager"),
    ("BM_W7_jit", "BM_W7_eager", "W7 jit(dropout) 1e7 vs eager"),
    ("BM_J2_jit", "BM_J2_eager", "J2 jit(10 elementwise ops) 16M vs eager"),
    ("BM_J2_jit", "BM_J2_hand_2threads", "J2 jit vs a hand-written 2-thread loop (>= 0.7)"),
]


def load(paths):
    best = {}
    for path in paths:
        with open(path) as f:
            data = json.load(f)
        for b in data["benchmarks"]:
            if b.get("run_type") == "aggregate":
                continue
            name = (b["run_name"] if "run_name" in b else b["name"]).replace("/real_time", "")
            t = b["real_time"]
            if name not in best or t < best[name]["real_time"]:
                best[name] = b
    return best


def fmt_time(b):
    return f'{b["real_time"]:.4g} {b["time_unit"]}'


def main():
    best = load(sys.argv[1:])
    print(f'{"benchmark":34} {"min time":>14} {"GB/s":>8} {"GFLOP/s":>8}')
    for name, b in sorted(best.items()):
        gbs = b.get("bytes_per_second")
        gflops = b.get("GFLOP/s")
        print(f'{name:34} {fmt_time(b):>14} {gbs / 1e9 if gbs else float("nan"):8.2f} '
              f'{gflops / 1e9 if gflops else float("nan"):8.1f}')
    print()
    print(f'{"comparison (speed of jx / baseline; >1 = jx faster)":62} {"ratio":>7}')
    for jx_name, base, label in PAIRS:
        if jx_name in best and base in best:
            r = best[base]["real_time"] / best[jx_name]["real_time"]
            print(f"{label:62} {r:7.2f}")
    if "BM_dispatch_add_1elem" in best:
        b = best["BM_dispatch_add_1elem"]
        print(f'{"dispatch: add of two 1-element arrays":62} {fmt_time(b):>7}')


if __name__ == "__main__":
    main()
