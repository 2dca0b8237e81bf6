// Per-source admission: connection rate, connection concurrency and a penalty box,
// checked before a connection gets any buffer or session.
//
// A source is a peer address (IPv4 stored v4-mapped). Each tracked source has a GCRA
// bucket for connection attempts, a count of live connections, and a second GCRA
// bucket for misuse. Every refusal for rate or concurrency, and every misuse net/
// reports (a malformed frame, a bad token), takes a misuse token; when that bucket is
// empty the misuse is sustained and the source is refused outright for penalty_ns.
// The penalty check comes first and changes nothing, so a penalized source costs one
// lookup per attempt.
//
// Bounds: sources_max tracked sources, fixed at construction. Sources with live
// connections are pinned; idle ones sit on an LRU list. A new source when the table
// is full evicts the least recently seen idle source (counted); if every source has
// live connections, the new one is refused with source_table_full (counted). Evicting
// an idle source can forget its penalty: a penalized source that keeps knocking is
// recently seen and stays.
//
// Thread: owned by one reactor thread; counters() may be read by any.
#pragma once

#include <array>
#include <cstdint>

#include "engine/counter.hpp"
#include "engine/flat_index.hpp"
#include "engine/gcra.hpp"
#include "engine/refusal.hpp"
#include "engine/slab.hpp"
#include "engine/slot_list.hpp"
#include "engine/time.hpp"

namespace sluice {

struct source_address {
  std::array<std::uint8_t, 16> bytes{};  // IPv6, or IPv4 as ::ffff:a.b.c.d

  [[nodiscard]] static source_address from_ipv4(std::uint32_t host_order) noexcept {
    source_address a;
    a.bytes[10] = a.bytes[11] = 0xff;
    for (int i = 0; i < 4; ++i)
      a.bytes[static_cast<std::size_t>(12 + i)] = static_cast<std::uint8_t>(host_order >> (24 - 8 * i));
    return a;
  }
  friend constexpr bool operator==(const source_address&, const source_address&) = default;
};

struct source_limiter_config {
  std::uint32_t sources_max = 65'536;
  std::uint32_t connections_per_source_max = 256;  // a NAT gateway fronting many clients stays under this
  double connect_rate_per_s = 50;                  // sustained new connections per source
  std::uint32_t connect_burst = 200;               // a client pool reconnecting at once
  double misuse_rate_per_s = 1;                    // refusals and violations forgiven per second...
  std::uint32_t misuse_burst = 20;                 // ...after this many at once
  time_ns penalty_ns = 60 * ns_per_s;
  std::uint64_t hash_seed = 0;  // net/ passes a per-process secret
};

struct source_limiter_counters {
  counter admitted_total;
  std::array<counter, refusal_count> refused_total;  // by refusal code
  counter misuse_total;                              // misuse reported by net/
  counter penalties_total;                           // times a source entered the penalty box
  counter sources_evicted_total;                     // idle sources forgotten to make room
  gauge sources;                                     // tracked sources
  gauge connections;                                 // live connections over all sources
};

class source_limiter {
 public:
  explicit source_limiter(const source_limiter_config& config);

  // Admits a new connection from `source` (counting it as live) or says why not.
  [[nodiscard]] refusal admit(const source_address& source, time_ns now_ns);
  // A connection admitted from `source` has closed.
  void release(const source_address& source);
  // net/ saw misuse from `source` (a protocol violation, a bad token).
  void report_misuse(const source_address& source, time_ns now_ns);

  [[nodiscard]] bool penalized(const source_address& source, time_ns now_ns) const;
  [[nodiscard]] std::uint32_t connections_of(const source_address& source) const;
  [[nodiscard]] const source_limiter_counters& counters() const noexcept { return counters_; }

 private:
  struct entry {
    source_address address;
    gcra_state connects;
    gcra_state misuse;
    time_ns penalty_until_ns = 0;
    std::uint32_t connections = 0;
    std::uint32_t lru_prev = UINT32_MAX;
    std::uint32_t lru_next = UINT32_MAX;
  };

  [[nodiscard]] std::uint32_t find(const source_address& source) const;
  [[nodiscard]] std::uint32_t find_or_track(const source_address& source);
  void strike(entry& e, time_ns now_ns);
  [[nodiscard]] refusal refuse(refusal why);

  source_limiter_config config_;
  gcra_params connect_params_;
  gcra_params misuse_params_;
  slab<entry> entries_;
  flat_index index_;
  slot_list<entry, &entry::lru_prev, &entry::lru_next> idle_lru_;  // sources with no live connection
  source_limiter_counters counters_;
};

}  // namespace sluice
