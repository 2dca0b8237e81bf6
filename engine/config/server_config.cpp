// Equality for server_config and the engine config structs inside it. The engine
// structs define no operator==, so these compare field by field; the size checks make
// adding a field to one of them fail here, where the comparison must learn about it.
#include "engine/config/server_config.hpp"

namespace sluice {

static_assert(sizeof(server_config) == 312, "server_config changed: update operator==");
static_assert(sizeof(timing_wheel_config) == 16, "timing_wheel_config changed: update same_timing_wheel_config");
static_assert(sizeof(session_shard_config) == 64, "session_shard_config changed: update same_session_shard_config");
static_assert(sizeof(source_limiter_config) == 56, "source_limiter_config changed: update same_source_limiter_config");
static_assert(sizeof(topics_config) == 80, "topics_config changed: update same_topics_config");

bool same_timing_wheel_config(const timing_wheel_config& a, const timing_wheel_config& b) noexcept {
  return a.tick_ns == b.tick_ns && a.origin_ns == b.origin_ns;
}

bool same_session_shard_config(const session_shard_config& a, const session_shard_config& b) noexcept {
  return a.sessions_max == b.sessions_max && a.when_full == b.when_full &&
         a.handshake_timeout_ns == b.handshake_timeout_ns && a.idle_timeout_ns == b.idle_timeout_ns &&
         a.ping_timeout_ns == b.ping_timeout_ns && a.resume_window_ns == b.resume_window_ns &&
         same_timing_wheel_config(a.wheel, b.wheel) && a.hash_seed == b.hash_seed;
}

bool same_source_limiter_config(const source_limiter_config& a, const source_limiter_config& b) noexcept {
  return a.sources_max == b.sources_max && a.connections_per_source_max == b.connections_per_source_max &&
         a.connect_rate_per_s == b.connect_rate_per_s && a.connect_burst == b.connect_burst &&
         a.misuse_rate_per_s == b.misuse_rate_per_s && a.misuse_burst == b.misuse_burst &&
         a.penalty_ns == b.penalty_ns && a.hash_seed == b.hash_seed;
}

bool same_topics_config(const topics_config& a, const topics_config& b) noexcept {
  return a.topics_max == b.topics_max && a.subscriptions_max == b.subscriptions_max &&
         a.session_subscriptions_max == b.session_subscriptions_max && a.payload_max == b.payload_max &&
         a.history.events_max == b.history.events_max && a.history.bytes_max == b.history.bytes_max &&
         a.history.age_max == b.history.age_max && a.history_shard_bytes_max == b.history_shard_bytes_max &&
         a.publish_rate_per_s == b.publish_rate_per_s && a.publish_burst == b.publish_burst &&
         a.dedup_entries == b.dedup_entries && a.dedup_ttl_ns == b.dedup_ttl_ns &&
         a.replay_page_events == b.replay_page_events && a.slow_consumer == b.slow_consumer;
}

bool operator==(const server_config& a, const server_config& b) noexcept {
  return a.listen_address == b.listen_address && a.port == b.port && a.threads == b.threads &&
         a.pin_threads == b.pin_threads && a.listen_backlog == b.listen_backlog && a.data_dir == b.data_dir &&
         a.max_connections == b.max_connections && a.max_frame == b.max_frame &&
         a.output_queue_max == b.output_queue_max && a.ring_entries == b.ring_entries &&
         a.recv_buffer_size == b.recv_buffer_size && a.recv_buffer_count == b.recv_buffer_count &&
         a.inbox_capacity == b.inbox_capacity && a.expiry_work_max == b.expiry_work_max &&
         same_session_shard_config(a.sessions, b.sessions) && same_source_limiter_config(a.sources, b.sources) &&
         same_topics_config(a.topics, b.topics);
}

}  // namespace sluice
