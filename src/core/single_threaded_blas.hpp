// OpenBLAS held to the calling thread: the project threads its products with OpenMP (a fixed
// cut of each product shared among the threads), since OpenBLAS's own threads would both
// oversubscribe the cores and, on some CPUs, change the rounding with their number.
#pragma once

namespace foresight {

// While alive, OpenBLAS runs every call on the calling thread; restores the previous count.
// Does nothing inside a parallel region, whose owner must hold one.
class SingleThreadedBlas {
 public:
  SingleThreadedBlas();
  ~SingleThreadedBlas();
  SingleThreadedBlas(const SingleThreadedBlas&) = delete;
  SingleThreadedBlas& operator=(const SingleThreadedBlas&) = delete;

 private:
  int previous_;
};

}  // namespace foresight
