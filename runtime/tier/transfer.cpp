#include "transfer.hpp"

#include "common/error.hpp"
#include "h5/checkpoint_file.hpp"

#include <algorithm>
#include <cstring>

namespace cairn::detail {

namespace {

constexpr int tag_chunk = 7303;

}  // namespace

chunk_pump::chunk_pump(MPI_Comm comm, std::vector<unsigned char>& send_buf,
                       std::vector<unsigned char>& recv_buf, std::size_t chunk)
    : comm_(comm), chunk_(chunk == 0 ? transfer_chunk : chunk), send_buf_(send_buf),
      recv_buf_(recv_buf) {}

chunk_pump::~chunk_pump() {
    if (send_ != MPI_REQUEST_NULL) {
        // Only after an error that left a send unfinished: MPI may still read the buffer, so it
        // is handed to MPI's request and left allocated.
        new std::vector<unsigned char>(std::move(send_buf_));  // NOLINT: deliberate leak
        MPI_Request_free(&send_);
    }
}

void chunk_pump::send_file(int to, std::unique_ptr<file_source> src) {
    const std::uint64_t n = src->size();
    out_.push_back({to, std::move(src), n, false});
}

void chunk_pump::post_send() {
    while (current_ < out_.size() && out_[current_].left == 0) ++current_;
    if (current_ >= out_.size()) return;
    queued& q = out_[current_];
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(q.left, chunk_));
    if (send_buf_.size() < n) send_buf_.resize(n);
    if (!q.failed) {
        try {
            q.src->read(send_buf_.data(), n);
        } catch (const std::exception& e) {
            q.failed = true;
            if (error_.empty()) error_ = e.what();
        }
    }
    if (q.failed) std::memset(send_buf_.data(), 0, n);
    q.left -= n;
    check_mpi(MPI_Isend(send_buf_.data(), static_cast<int>(n), MPI_BYTE, q.to, tag_chunk, comm_,
                        &send_),
              "MPI_Isend");
}

void chunk_pump::wait(MPI_Request& recv) {
    for (;;) {
        if (send_ == MPI_REQUEST_NULL) post_send();
        if (send_ == MPI_REQUEST_NULL) {
            check_mpi(MPI_Wait(&recv, MPI_STATUS_IGNORE), "MPI_Wait");
            return;
        }
        MPI_Request reqs[2] = {recv, send_};
        int idx = MPI_UNDEFINED;
        check_mpi(MPI_Waitany(2, reqs, &idx, MPI_STATUS_IGNORE), "MPI_Waitany");
        recv = reqs[0];
        send_ = reqs[1];
        if (idx == 0) return;  // the send may still be under way
    }
}

std::string chunk_pump::finish() {
    for (;;) {
        if (send_ == MPI_REQUEST_NULL) post_send();
        if (send_ == MPI_REQUEST_NULL) break;
        check_mpi(MPI_Wait(&send_, MPI_STATUS_IGNORE), "MPI_Wait");
    }
    return error_;
}

chunk_pump::incoming::incoming(chunk_pump& pump, int from, std::uint64_t n, piece_fn on_chunk)
    : pump_(pump), from_(from), left_(n), on_chunk_(std::move(on_chunk)) {}

void chunk_pump::incoming::next() {
    if (left_ == 0) throw corrupt_error("rank image is truncated");
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(left_, pump_.chunk_));
    auto& buf = pump_.recv_buf_;
    if (buf.size() < n) buf.resize(n);
    MPI_Request r = MPI_REQUEST_NULL;
    check_mpi(MPI_Irecv(buf.data(), static_cast<int>(n), MPI_BYTE, from_, tag_chunk, pump_.comm_,
                        &r),
              "MPI_Irecv");
    pump_.wait(r);
    left_ -= n;
    pos_ = 0;
    end_ = n;
    if (on_chunk_) {
        piece_fn f = std::move(on_chunk_);  // stays unset if it throws: drain() only receives
        on_chunk_ = {};
        f(buf.data(), n);
        on_chunk_ = std::move(f);
    }
}

void chunk_pump::incoming::read(unsigned char* dst, std::size_t n) {
    while (n > 0) {
        if (pos_ == end_) next();
        const std::size_t k = std::min(n, end_ - pos_);
        std::memcpy(dst, pump_.recv_buf_.data() + pos_, k);
        pos_ += k;
        dst += k;
        n -= k;
    }
}

void chunk_pump::incoming::skim(std::size_t n, const piece_fn& f) {
    while (n > 0) {
        if (pos_ == end_) next();
        const std::size_t k = std::min(n, end_ - pos_);
        f(pump_.recv_buf_.data() + pos_, k);
        pos_ += k;
        n -= k;
    }
}

void chunk_pump::incoming::drain() {
    while (left_ > 0) next();
    pos_ = end_;
}

}  // namespace cairn::detail
