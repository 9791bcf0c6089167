"""The PoGEMM backends by name: their one home, apart from the backends themselves
(`gpumarket.pogemm.backends`, which import numpy), so `gpumarket bench --help` can list them
without importing numpy."""

NUMPY = "numpy"
TORCH_CPU = "torch-cpu"
TORCH_CUDA = "torch-cuda"
BACKEND_NAMES = (NUMPY, TORCH_CPU, TORCH_CUDA)
