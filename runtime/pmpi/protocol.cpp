#include "protocol.hpp"

#include "boundary.hpp"

#include <algorithm>

namespace cairn::detail {

protocol protocol_instance;  // NOLINT: process-wide by nature

void protocol::activate(MPI_Comm ctl, int world_size, int world_rank, bool one_caller) {
    const std::lock_guard<std::mutex> lock(mu_);
    one_caller_ = one_caller;
    ctl_ = ctl;
    size_ = world_size;
    outstanding_.assign(static_cast<std::size_t>(world_size), 0);
    rank_ = world_rank;
    track_current_color();
    active_ = true;
}

void protocol::deactivate() {
    std::unique_lock<std::mutex> lock(mu_);
    if (!active_) return;
    // Complete collectives in flight so MPI_Finalize does not see pending requests.
    if (alltoall_ != MPI_REQUEST_NULL) PMPI_Wait(&alltoall_, MPI_STATUS_IGNORE);
    if (allreduce_ != MPI_REQUEST_NULL) PMPI_Wait(&allreduce_, MPI_STATUS_IGNORE);
    active_ = false;
}

std::vector<std::uint64_t>& protocol::counts(
    std::map<std::uint32_t, std::vector<std::uint64_t>>& m, std::uint32_t color) {
    auto& v = m[color];
    if (v.size() != static_cast<std::size_t>(size_)) v.resize(static_cast<std::size_t>(size_), 0);
    return v;
}

void protocol::track_current_color() {
    sent_now_ = &counts(sent_, color_);
    recv_now_ = &counts(recv_, color_);
}

msg_header protocol::on_send_locked(int dest_world) {
    const std::lock_guard<std::mutex> lock(mu_);
    const msg_header h{static_cast<std::uint16_t>(color_)};
    if (dest_world >= 0 && dest_world < size_) {
        auto& v = sent_now_ != nullptr ? *sent_now_ : counts(sent_, color_);
        ++v[static_cast<std::size_t>(dest_world)];
    }
    return h;
}

void protocol::on_send_cancelled(const msg_header& h, int dest_world) {
    const std::lock_guard<std::mutex> lock(mu_);
    if (dest_world < 0 || dest_world >= size_) return;
    const std::uint32_t color = expand(h);
    auto& v = counts(sent_, color);
    if (v[static_cast<std::size_t>(dest_world)] > 0) --v[static_cast<std::size_t>(dest_world)];
    if (phase_ == phase::collecting && color == white_) {
        // The count was already exchanged; the receiver waits for a message that never comes.
        aborted_ = true;
        why_ = "a white send was cancelled after the cut";
    }
}

void protocol::on_receive_locked(const msg_header& wire, std::uint32_t comm_id, int src_world,
                                 int source, int tag, payload_source packed_payload) {
    std::vector<unsigned char> payload;
    bool need_log = false;
    std::uint32_t color = 0;
    {
        const std::lock_guard<std::mutex> lock(mu_);
        if (src_world < 0 || src_world >= size_) return;
        color = expand(wire);
        if (color == color_ && recv_now_ != nullptr) {
            ++(*recv_now_)[static_cast<std::size_t>(src_world)];
            return;  // same color: an ordinary message
        }
        ++counts(recv_, color)[static_cast<std::size_t>(src_world)];
        if (color == color_) return;
        const bool collecting = phase_ != phase::idle;
        if (color + 1 == color_ && collecting && color == white_) {
            need_log = true;  // late: sent before the sender's cut, received after ours
        } else if (color < color_) {
            // A straggler of an aborted epoch: expected by no counter but `outstanding_`.
            auto& o = outstanding_[static_cast<std::size_t>(src_world)];
            if (o > 0) --o;
            if (!collecting) return;  // received before the next cut: part of the state
            need_log = true;          // received after this cut: channel state
        } else if (color == color_ + 1) {
            ++early_total_;
            if (!early_) {
                early_ = true;
                early_why_ = "rank " + std::to_string(rank_) + " received an early message " +
                             "from rank " + std::to_string(src_world) + " (communicator " +
                             std::to_string(comm_id) + ", tag " + std::to_string(tag) +
                             ") before its own cut";
            }
            return;
        } else {
            return;
        }
    }
    if (need_log) payload = packed_payload();
    const std::lock_guard<std::mutex> lock(mu_);
    logged_message m;
    m.comm_id = comm_id;
    m.source = source;
    m.tag = tag;
    m.epoch = color;
    m.payload = std::move(payload);
    log_.push_back(std::move(m));
}

bool protocol::busy() const {
    const std::lock_guard<std::mutex> lock(mu_);
    return phase_ != phase::idle;
}

void protocol::current_counts(std::vector<std::uint64_t>& sent,
                              std::vector<std::uint64_t>& received) const {
    const std::lock_guard<std::mutex> lock(mu_);
    const auto n = static_cast<std::size_t>(size_);
    const auto s = sent_.find(color_);
    const auto r = recv_.find(color_);
    sent = s != sent_.end() ? s->second : std::vector<std::uint64_t>(n, 0);
    received = r != recv_.end() ? r->second : std::vector<std::uint64_t>(n, 0);
    sent.resize(n, 0);
    received.resize(n, 0);
}

void protocol::set_color(std::uint32_t c) {
    const std::lock_guard<std::mutex> lock(mu_);
    color_ = c;
    sent_.clear();
    recv_.clear();
    track_current_color();
}

void protocol::cut() {
    const std::lock_guard<std::mutex> lock(mu_);
    white_ = color_;
    sent_white_ = counts(sent_, white_);
    recv_before_ = counts(recv_, white_);
    expected_.assign(static_cast<std::size_t>(size_), 0);
    log_.clear();
    aborted_ = early_;
    why_ = early_why_;
    if (!aborted_) {
        // MPI use whose state a cut cannot capture (dynamic processes, pending nonblocking
        // collectives, RMA in progress): refused, with the reason.
        std::string refused = boundary::refusal();
        if (!refused.empty()) {
            aborted_ = true;
            why_ = "rank " + std::to_string(rank_) + ": " + refused;
        }
    }
    early_ = false;
    early_why_.clear();
    color_ = white_ + 1;
    track_current_color();
    phase_ = phase::collecting;
    cut_time_ = PMPI_Wtime();
    PMPI_Ialltoall(sent_white_.data(), 1, MPI_UINT64_T, expected_.data(), 1, MPI_UINT64_T, ctl_,
                   &alltoall_);
}

bool protocol::progress() {
    const std::lock_guard<std::mutex> lock(mu_);
    return progress_locked();
}

void protocol::set_epoch_timeout(double seconds) {
    const std::lock_guard<std::mutex> lock(mu_);
    epoch_timeout_ = seconds;
}

void protocol::progress_and_expire() {
    {
        const std::lock_guard<std::mutex> lock(mu_);
        if (phase_ == phase::idle || phase_ == phase::done) return;
        if (progress_locked()) return;
        if (phase_ != phase::collecting || alltoall_ != MPI_REQUEST_NULL) return;
        if (PMPI_Wtime() - cut_time_ <= epoch_timeout_) return;
    }
    give_up("not complete after epoch_timeout (" + std::to_string(static_cast<int>(epoch_timeout_)) +
            " s): white messages still in flight");
}

bool protocol::progress_locked() {
    if (phase_ == phase::collecting) {
        int done = 0;
        PMPI_Test(&alltoall_, &done, MPI_STATUS_IGNORE);
        if (done == 0) return false;
        const auto& got = counts(recv_, white_);
        for (int s = 0; s < size_; ++s) {
            const auto i = static_cast<std::size_t>(s);
            if (got[i] < expected_[i] || outstanding_[i] > 0) return false;
        }
        abort_out_ = aborted_ ? 1 : 0;
        PMPI_Iallreduce(&abort_out_, &abort_in_, 1, MPI_INT, MPI_MAX, ctl_, &allreduce_);
        phase_ = phase::finishing;
    }
    if (phase_ == phase::finishing) {
        int done = 0;
        PMPI_Test(&allreduce_, &done, MPI_STATUS_IGNORE);
        if (done == 0) return false;
        phase_ = phase::done;
    }
    return phase_ == phase::done;
}

std::vector<int> protocol::missing_sources() const {
    const std::lock_guard<std::mutex> lock(mu_);
    std::vector<int> out;
    if (phase_ != phase::collecting || alltoall_ != MPI_REQUEST_NULL) return out;
    const auto it = recv_.find(white_);
    for (int s = 0; s < size_; ++s) {
        const std::uint64_t got = it == recv_.end() ? 0 : it->second[static_cast<std::size_t>(s)];
        if (got < expected_[static_cast<std::size_t>(s)] || outstanding_[static_cast<std::size_t>(s)] > 0) {
            out.push_back(s);
        }
    }
    return out;
}

void protocol::give_up(const std::string& why) {
    const std::lock_guard<std::mutex> lock(mu_);
    if (phase_ != phase::collecting || alltoall_ != MPI_REQUEST_NULL) return;
    aborted_ = true;
    why_ = why;
    abort_out_ = 1;
    PMPI_Iallreduce(&abort_out_, &abort_in_, 1, MPI_INT, MPI_MAX, ctl_, &allreduce_);
    phase_ = phase::finishing;
}

snapshot_outcome protocol::take_outcome() {
    const std::lock_guard<std::mutex> lock(mu_);
    snapshot_outcome out;
    out.color = color_;
    out.aborted = abort_in_ != 0;
    out.why = aborted_ ? why_ : (out.aborted ? "another rank aborted this epoch" : "");
    out.channel.messages = std::move(log_);
    out.channel.sent_white = sent_white_;
    out.channel.recv_before = recv_before_;
    const auto& got = counts(recv_, white_);
    out.channel.logged.resize(static_cast<std::size_t>(size_));
    for (int s = 0; s < size_; ++s) {
        out.channel.logged[static_cast<std::size_t>(s)] =
            got[static_cast<std::size_t>(s)] - recv_before_[static_cast<std::size_t>(s)];
    }
    if (out.aborted) {
        // White messages that have not arrived stay expected: later snapshots wait for them
        // and log them.
        for (int s = 0; s < size_; ++s) {
            const auto i = static_cast<std::size_t>(s);
            if (got[i] < expected_[i]) outstanding_[i] += expected_[i] - got[i];
        }
    }
    log_.clear();
    sent_.erase(white_);
    recv_.erase(white_);
    track_current_color();  // white_ != color_ here, but never leave a pointer to an erased node
    phase_ = phase::idle;
    return out;
}

}  // namespace cairn::detail
