#include "core/single_threaded_blas.hpp"

#include <cblas.h>
#include <omp.h>

namespace foresight {

// Inside a parallel region the region's owner holds the setting (and OpenBLAS's thread count
// is one global, not to be changed from several threads at once).
SingleThreadedBlas::SingleThreadedBlas()
    : previous_(omp_in_parallel() ? 0 : openblas_get_num_threads()) {
  if (previous_ > 0) openblas_set_num_threads(1);
}

SingleThreadedBlas::~SingleThreadedBlas() {
  if (previous_ > 0) openblas_set_num_threads(previous_);
}

}  // namespace foresight
