"""Issue 11's acceptance ratios from one jit_bench run (JSON): each jit time over its hand-written
baseline measured in the same run, minimum over repetitions.

  build/bench/jit_bench --benchmark_repetitions=5 --benchmark_format=json > jx.json
  python3 scripts/jit_acceptance.py jx.json
"""
import json
import sys

ROWS = [
    ("W2 pairwise jit / hand 2-thread loop", "BM_W2_jit", "BM_W2_hand_2threads", 1.5),
    ("J2 chain jit / hand 2-thread loop", "BM_J2_jit", "BM_J2_hand_2threads", 1 / 0.7),
    ("W6 normalize jit / hand", "BM_W6_jit", "BM_W6_hand_2threads", 1.5),
    ("W6 out_axes=-1 jit / hand", "BM_W6_jit_out_axes_last", "BM_W6_hand_2threads", 2.0),
    ("W7 dropout jit / random bits alone", "BM_W7_jit", "BM_W7_random_bits", 1.2),
    ("W3 jit(vmap(grad)) / hand-derived under jit", "BM_W3_jit", "BM_W3_hand_jit", 1.3),
    ("W5 jit(vmap(jacrev(softmax))) / output written once", "BM_W5_batched_jit",
     "BM_W5_batched_write_once", 1.5),
    ("J3 sum all / hand 2-thread read", "BM_J3_sum_all_jit", "BM_J3_read_hand_2threads", 1 / 0.7),
    ("J3 sum axis 0 / hand 2-thread read", "BM_J3_sum_axis0_jit", "BM_J3_read_hand_2threads",
     1 / 0.7),
    ("J3 sum axis 1 / hand 2-thread read", "BM_J3_sum_axis1_jit", "BM_J3_read_hand_2threads",
     1 / 0.7),
]


def best_times(path):
    best = {}
    for b in json.load(open(path))["benchmarks"]:
        if b.get("run_type") == "aggregate":
            continue
        name = b.get("run_name", b["name"]).replace("/real_time", "")
        scale = {"ms": 1.0, "us": 1e-3, "ns": 1e-6, "s": 1e3}[b["time_unit"]]
        best[name] = min(best.get(name, float("inf")), b["real_time"] * scale)
    return best


def main():
    best = best_times(sys.argv[1])
    print(f"{'acceptance point (jit / baseline)':55} {'jit ms':>9} {'base ms':>9} {'ratio':>6} target")
    for label, jit, base, target in ROWS:
        if jit not in best or base not in best:
            continue
        ratio = best[jit] / best[base]
        mark = "ok" if ratio <= target else "MISSED"
        print(f"{label:55} {best[jit]:9.3f} {best[base]:9.3f} {ratio:6.2f} <= {target:.2f} {mark}")
    for w in ["W1", "W2", "W3", "W4", "W5", "W6", "W7", "J2"]:
        jit, eager = best.get(f"BM_{w}_jit"), best.get(f"BM_{w}_eager")
        if jit and eager:
            print(f"{w}: jit {jit:8.3f} ms, eager {eager:8.3f} ms, eager/jit {eager / jit:6.2f}")
    for k in sorted(best):
        if k.startswith("BM_first_call"):
            print(f"{k:45} {best[k]:9.3f} ms")


if __name__ == "__main__":
    main()
