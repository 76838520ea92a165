// supvisors-bench times the C++ client's supervisor.getAllProcessInfo (typed
// results included): N calls, one after the other on one connection, after
// one call to warm it up; it prints the median and the 99th percentile.
//
//   supvisors-bench HOST PORT USER PASSWORD N
//   p50=1.234 p99=2.345 n=1000
#include <supvisors/client.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

namespace {

// percentile is the nearest-rank percentile q (0-1) of sorted, in ms.
double percentile(const std::vector<double>& sorted, double q) {
  const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  return sorted[std::max<std::size_t>(rank, 1) - 1];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 6) {
    std::cerr << "usage: supvisors-bench HOST PORT USER PASSWORD N\n";
    return 2;
  }
  try {
    const int calls = std::stoi(argv[5]);
    if (calls < 1) throw std::invalid_argument("N must be at least 1");
    supvisors::Client client(argv[1], std::stoi(argv[2]), argv[3], argv[4]);
    auto supervisor = client.supervisor();
    const std::size_t processes = supervisor.getAllProcessInfo().size();
    std::vector<double> ms;
    ms.reserve(calls);
    for (int i = 0; i < calls; ++i) {
      const auto start = std::chrono::steady_clock::now();
      const auto infos = supervisor.getAllProcessInfo();
      ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
      if (infos.size() != processes) {
        throw std::runtime_error("call " + std::to_string(i) + ": " + std::to_string(infos.size()) +
                                 " processes, then " + std::to_string(processes));
      }
    }
    std::sort(ms.begin(), ms.end());
    std::fprintf(stderr, "%zu processes\n", processes);
    std::printf("p50=%.3f p99=%.3f n=%d\n", percentile(ms, 0.50), percentile(ms, 0.99), calls);
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "supvisors-bench: " << e.what() << "\n";
    return 1;
  }
}
