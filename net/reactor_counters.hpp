// Counters of one reactor. Written by the reactor thread only; read (and summed over
// reactors) by anyone, at any time.
#pragma once

#include <array>

#include "engine/counter.hpp"
#include "engine/protocol/frame.hpp"

namespace sluice {

struct reactor_counters {
  counter accepted_total;            // connections accepted by this reactor's listener
  counter accept_errors_total;       // accept completions with an error (EMFILE, ...)
  counter connections_closed_total;  // connections this reactor closed
  gauge connections;                 // connections this reactor holds now
  counter frames_in_total;
  counter frames_out_total;
  counter bytes_in_total;
  counter bytes_out_total;
  counter sends_total;            // sendmsg calls: one per connection per iteration, however many frames
  counter handoffs_out_total;     // connections sent to another reactor
  counter handoffs_in_total;      // connections received from another reactor
  counter inbox_full_total;       // a message could not be posted: the target inbox was full
  counter recv_nobufs_total;      // receives that found no free provided buffer
  counter resume_rejected_total;  // resumes of unknown sessions or with a wrong token
  counter takeovers_total;        // resumes that took a session from another connection
  counter slow_consumer_total;    // connections closed because their output queue was full
  counter input_paused_total;     // times reading stopped because a connection's output was backed up
  counter client_errors_total;    // ERROR frames received from clients
  std::array<counter, proto::error_code_count> errors_sent_total;    // ERROR frames sent, by code
  std::array<counter, proto::error_code_count> refusals_sent_total;  // topic requests refused (ACK status), by code
  counter published_total;                 // events this reactor, as their owner, gave a sequence
  counter publish_duplicates_total;        // PUBLISH requests answered from the dedup window
  counter events_delivered_total;          // EVENT frames queued to subscribers (live and replayed)
  counter subscribers_fell_behind_total;   // drop_oldest: a subscriber's output was full, it is served from history
  counter gap_markers_total;               // GAP events sent: the history had lost events a subscriber needed
  counter replay_pages_total;              // history pages served by this reactor as a topic owner
  counter topic_backlog_total;             // posts that waited because the target's inbox was full
  counter topic_requests_congested_total;  // SUBSCRIBE/PUBLISH refused (capacity): the way to the owner is full
};

}  // namespace sluice
