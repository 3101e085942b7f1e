# The seed tour's sections 1 to 5 computed independently with numpy (float32, and a numpy
# Threefry-2x32 for JAX's random bits), printed in the tour's format; tour_test compares the
# tour's output with this, character for character.
import numpy as np

f32 = np.float32
print("1. Why vmap exists")
w = np.array([1.5, -0.5], f32)
b = f32(0.25)
X = np.array([[1.0, 2.0], [2.5, -1.0], [-0.25, 0.75]], f32)
logits = X @ w + b
probs = (f32(1) / (f32(1) + np.exp(-logits))).astype(f32)
out = np.stack([logits, probs], 1)
print("shape:", out.shape)
print("first row:", out[0])
print(out)
print("jit:", out[1])
print()
print("2. Controlling input and output axes")
preds = np.array([[0.2, 0.8], [0.6, 0.4]], f32)
targets = np.array([[0.0, 1.0], [1.0, 0.0]], f32)
print(f32(0.5) * np.sum(np.square(preds - targets), axis=1))
images = np.sin(np.arange(2 * 28 * 28, dtype=f32)).reshape(2, 28, 28)
mean = images.mean(axis=(1, 2), keepdims=True)
normalized = (images - mean) / images.std(axis=(1, 2), keepdims=True)
print(normalized.shape)
print(np.moveaxis(normalized, 0, -1).shape)
print()
print("3. Multiple batch dimensions")
P = np.array([[0, 0], [1, 0], [0, 1]], f32)
Q = np.array([[0, 0], [1, 1]], f32)
print(np.sqrt(np.sum(np.square(P[:, None, :] - Q[None, :, :]), axis=-1)))
print()
print("4. Differentiation across batches")
# Per-example gradients of mean(sigmoid_binary_cross_entropy(x @ w + b, y)) in closed form:
# d/dz = mean(sigmoid(z) - y), dw = x * d/dz, db = d/dz, one row per example.
w = np.array([1.0, -2.0], f32)
b = f32(0.3)
features = np.array([[1.0, 0.0], [0.5, 1.5], [2.0, -1.0]], f32)
labels = np.array([[1, 0, 1], [0, 1, 0], [1, 0, 1]], f32)
z = features @ w + b
dz = np.mean(f32(1) / (f32(1) + np.exp(-z[:, None])) - labels, axis=1)
dw = features * dz[:, None]
db = dz
print("dw shape:", dw.shape)
print("db shape:", db.shape)
# The Jacobian of softmax(theta) = y = u / S (u = exp(theta - max), S = sum(u)), i.e.
# diag(y) - y y^T, row i evaluated in float32 as reverse mode transposes softmax's custom jvp
# y * (dx - sum(y * dx)): y * e_i + y * (-sum(y * e_i)). exp is correctly rounded (float64,
# then float32): numpy's own float32 exp is one ulp off at -1.
theta = np.array([1.0, 0.0, -1.0], f32)
u = np.exp((theta - theta.max()).astype(np.float64)).astype(f32)
y = u / u.sum()
eye = np.eye(3, dtype=f32)
print(np.stack([y * eye[i] + y * -(y * eye[i]).sum() for i in range(3)]))
print()
print("5. Randomness and vmap")
u32 = np.uint32


def rotl(v, r):
    return (v << u32(r)) | (v >> u32(32 - r))


def threefry2x32(k1, k2, x0, x1):
    """The Threefry-2x32-20 hash of counter words (x0, x1) under key (k1, k2), elementwise."""
    with np.errstate(over="ignore"):
        ks = [u32(k1), u32(k2), u32(k1) ^ u32(k2) ^ u32(0x1BD11BDA)]
        x0, x1 = x0.astype(u32) + ks[0], x1.astype(u32) + ks[1]
        rotations = [[13, 15, 26, 6], [17, 29, 16, 24]]
        for i in range(5):
            for r in rotations[i % 2]:
                x0 = x0 + x1
                x1 = rotl(x1, r) ^ x0
            x0 = x0 + ks[(i + 1) % 3]
            x1 = x1 + ks[(i + 2) % 3] + u32(i + 1)
    return x0, x1


def split(key, num):
    """jax.random.split, partitionable scheme: counter i -> (0, i)."""
    b1, b2 = threefry2x32(key[0], key[1], np.zeros(num, u32), np.arange(num, dtype=u32))
    return np.stack([b1, b2], axis=1)


def uniform(key, n):
    b1, b2 = threefry2x32(key[0], key[1], np.zeros(n, u32), np.arange(n, dtype=u32))
    bits = b1 ^ b2
    return ((bits >> u32(9)) | u32(0x3F800000)).view(np.float32) - f32(1)


rate = f32(0.1)
keys = split(np.array([0, 42], u32), 4)
x = np.ones((4, 5), f32)
rows = [np.where(uniform(k, 5) < f32(1) - rate, x[i] / (f32(1) - rate), f32(0))
        for i, k in enumerate(keys)]
print(np.stack(rows))
