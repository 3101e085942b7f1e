# The seed tour's sections 1-3 computed independently with numpy in float32, printed in the
# tour's format; tour_test compares the tour's output with this, character for character.
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
