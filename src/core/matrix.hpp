// A read-only weight matrix in its stored element type: rows x cols, row-major, as Hugging
// Face stores linear layers ([out_features, in_features]).
#pragma once
#include <cstdint>

#include "core/dtype.hpp"

namespace foresight {

struct Matrix {
  DType dtype = DType::F32;
  int64_t rows = 0, cols = 0;
  const void* data = nullptr;

  const char* row_ptr(int64_t r) const { return static_cast<const char*>(data) + r * row_bytes(); }
  int64_t row_bytes() const { return static_cast<int64_t>(dtype_bytes(dtype, size_t(cols))); }
  int64_t bytes() const { return rows * row_bytes(); }
};

}  // namespace foresight
