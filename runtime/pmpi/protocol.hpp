// Mattern's snapshot protocol at application safe points: colors, per-color message counters,
// the channel log of late (white) messages, detection of early (red-at-white) messages, and
// completion by MPI_Ialltoall of white-send counts plus MPI_Iallreduce of the abort flag.
#pragma once

#include "common/channel.hpp"
#include "header.hpp"

#include <mpi.h>

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace cairn::detail {

/// Non-owning reference to a callable that yields a received message's payload as MPI_Pack
/// bytes. Unlike std::function it never allocates: the receive path builds one per message.
class payload_source {
public:
    template <class F>
    payload_source(const F& f)  // NOLINT(google-explicit-constructor): built from lambdas
        : obj_(&f), call_([](const void* o) { return (*static_cast<const F*>(o))(); }) {}
    std::vector<unsigned char> operator()() const { return call_(obj_); }

private:
    const void* obj_;
    std::vector<unsigned char> (*call_)(const void*);
};

/// Outcome of one snapshot's channel phase.
struct snapshot_outcome {
    bool aborted = false;
    std::string why;        ///< reason of an abort (early message, ...)
    channel_state channel;  ///< this rank's log and counters
    std::uint32_t color = 0;  ///< color the ranks turned to at this cut
};

/// Process-wide protocol state. Thread-safe.
class protocol {
public:
    /// The one instance.
    static protocol& get();

    /// Turns the protocol on (non-blocking mode) for a job of `world_size` ranks. `ctl` is a
    /// private communicator over MPI_COMM_WORLD for the protocol's collectives. `one_caller`: the
    /// application asked for a thread level below MPI_THREAD_MULTIPLE, so no two of its threads
    /// call MPI at the same time; the per-message counting then takes no lock (see on_send()).
    void activate(MPI_Comm ctl, int world_size, int world_rank, bool one_caller);
    /// Turns it off (at MPI_Finalize). Pending collectives are completed first.
    void deactivate();
    /// True when messages carry headers.
    [[nodiscard]] bool active() const { return active_; }

    /// Sender side: header for a message to world rank `dest_world`; counts it.
    ///
    /// Without a lock when the application calls MPI from one thread at a time: the counters of
    /// the current color and the color itself are then written only by that thread (its messages
    /// here, its safe points in cut(), set_color() and take_outcome()); the progress thread reads
    /// only the counters of the color being snapshotted, under the mutex, after cut() has
    /// published them under the same mutex.
    msg_header on_send(int dest_world) {
        if (!one_caller_) return on_send_locked(dest_world);
        if (static_cast<unsigned>(dest_world) < static_cast<unsigned>(size_)) {
            ++(*sent_now_)[static_cast<std::size_t>(dest_world)];
        }
        return msg_header{static_cast<std::uint16_t>(color_)};
    }
    /// A send with this header was cancelled: uncount it.
    void on_send_cancelled(const msg_header& h, int dest_world);

    /// Receiver side, once the header is known. `packed_payload` yields the message's data as
    /// MPI_Pack bytes; it is called only if the message must be logged. A message of the current
    /// color (nearly all of them) is counted without a lock under the condition of on_send().
    void on_receive(const msg_header& h, std::uint32_t comm_id, int src_world, int source, int tag,
                    payload_source packed_payload) {
        if (one_caller_ && h.color == static_cast<std::uint16_t>(color_) &&
            static_cast<unsigned>(src_world) < static_cast<unsigned>(size_)) {
            ++(*recv_now_)[static_cast<std::size_t>(src_world)];
            return;
        }
        on_receive_locked(h, comm_id, src_world, source, tag, packed_payload);
    }

    /// The full color of a received header: the one within 32767 epochs of this rank's color.
    [[nodiscard]] std::uint32_t expand(msg_header h) const {
        const auto d = static_cast<std::int16_t>(
            static_cast<std::uint16_t>(h.color - static_cast<std::uint16_t>(color_)));
        return color_ + static_cast<std::uint32_t>(static_cast<std::int32_t>(d));
    }

    /// True if a snapshot's channel phase is under way on this rank.
    [[nodiscard]] bool busy() const;

    /// Turns red at the agreed safe point (collective in the sense that every rank calls it at
    /// the same safe point). Requires !busy().
    void cut();

    /// Drives the completion; true once the outcome is ready (then call take_outcome()).
    bool progress();
    bool progress_locked();

    /// Gives up on the snapshot in progress (epoch timeout): this rank joins the completion
    /// reduction with the abort flag set. Messages still missing are carried over and logged by
    /// later snapshots when they arrive. No effect before the count exchange has completed.
    void give_up(const std::string& why);

    /// World ranks from which white messages are still missing (for pulling).
    [[nodiscard]] std::vector<int> missing_sources() const;

    /// The outcome of the finished snapshot; the protocol becomes idle.
    snapshot_outcome take_outcome();

    /// Current color.
    [[nodiscard]] std::uint32_t color() const { return color_; }
    /// This rank's message counts of the current color, per world rank: sent to each, received
    /// from each (zeros before activation). restore() compares them across ranks.
    void current_counts(std::vector<std::uint64_t>& sent, std::vector<std::uint64_t>& received) const;
    /// Sets the color (restart: all ranks resume at the restored color).
    void set_color(std::uint32_t c);

    /// Seconds after a cut at which progress_and_expire() gives the snapshot up.
    void set_epoch_timeout(double seconds);

    /// progress(), plus give_up() once the snapshot is older than the epoch timeout. Safe to
    /// call from a helper thread: it never receives application messages.
    void progress_and_expire();

    /// Counts of early messages (aborts) and logged messages since activation.
    [[nodiscard]] std::uint64_t early_messages() const { return early_total_; }

private:
    enum class phase { idle, collecting, finishing, done };
    msg_header on_send_locked(int dest_world);
    void on_receive_locked(const msg_header& h, std::uint32_t comm_id, int src_world, int source,
                           int tag, payload_source packed_payload);
    std::vector<std::uint64_t>& counts(std::map<std::uint32_t, std::vector<std::uint64_t>>& m,
                                       std::uint32_t color);
    /// Points sent_now_ / recv_now_ at the counters of color_ (after color_ or the maps change).
    void track_current_color();

    mutable std::mutex mu_;
    bool active_ = false;
    bool one_caller_ = false;  // no lock on the per-message path (activate())
    MPI_Comm ctl_ = MPI_COMM_NULL;
    int size_ = 0;
    int rank_ = 0;
    std::uint32_t color_ = 0;
    std::map<std::uint32_t, std::vector<std::uint64_t>> sent_;  // color -> [dest]
    std::map<std::uint32_t, std::vector<std::uint64_t>> recv_;  // color -> [src]
    // sent_[color_] and recv_[color_]: the counters of nearly every message, without a map
    // lookup (std::map nodes stay put until their key is erased; color_'s never is while current).
    std::vector<std::uint64_t>* sent_now_ = nullptr;
    std::vector<std::uint64_t>* recv_now_ = nullptr;
    bool early_ = false;  // an early message arrived while white for the next cut
    std::string early_why_;
    std::uint64_t early_total_ = 0;

    phase phase_ = phase::idle;
    std::uint32_t white_ = 0;  // color being snapshotted (white for the cut in progress)
    std::vector<std::uint64_t> sent_white_;
    std::vector<std::uint64_t> recv_before_;
    std::vector<std::uint64_t> expected_;
    std::vector<logged_message> log_;
    std::vector<std::uint64_t> outstanding_;  // [src] messages of aborted epochs still to come
    double cut_time_ = 0;
    double epoch_timeout_ = 120;
    bool aborted_ = false;
    std::string why_;
    int abort_in_ = 0;
    int abort_out_ = 0;
    MPI_Request alltoall_ = MPI_REQUEST_NULL;
    MPI_Request allreduce_ = MPI_REQUEST_NULL;
};

/// The one instance (protocol.cpp). A namespace-scope object rather than a function-local static,
/// so that get() is inline on the per-message path (no call, no guard).
extern protocol protocol_instance;
inline protocol& protocol::get() { return protocol_instance; }

}  // namespace cairn::detail
