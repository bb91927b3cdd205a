// Moving rank images between ranks in bounded chunks (partner copies and their way back at a
// restart): files are sent chunk by chunk from disk, and a received image is a byte_source that
// the image reader pulls from, so neither side holds a whole image in memory. MPI point to point
// on the I/O thread's communicator; see docs/tiers.md.
#pragma once

#include "bytes.hpp"
#include "local_store.hpp"

#include <mpi.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace cairn::detail {

/// Chunk size of image transfers (both sides must use the same).
inline constexpr std::size_t transfer_chunk = std::size_t{16} << 20;

/// Sends files and receives images at the same time, without deadlock: whenever this rank waits
/// for an incoming chunk, its next outgoing chunk is posted, so every rank waiting in a ring of
/// transfers has its own data on the way. One reused buffer per direction.
class chunk_pump {
public:
    /// `send_buf` and `recv_buf` are reused (their capacity is kept by the caller between
    /// transfers, so fresh memory is touched once per run, not per checkpoint).
    chunk_pump(MPI_Comm comm, std::vector<unsigned char>& send_buf,
               std::vector<unsigned char>& recv_buf, std::size_t chunk = transfer_chunk);
    chunk_pump(const chunk_pump&) = delete;
    chunk_pump& operator=(const chunk_pump&) = delete;
    ~chunk_pump();

    /// Queues `src` (its whole size, announced to `to` beforehand) for sending to `to`; files
    /// are sent in the order queued.
    void send_file(int to, std::unique_ptr<file_source> src);

    /// Sends everything still queued. Returns "" or the first read error of a queued file (the
    /// receiver then gets zeros instead of that file's data and rejects the image).
    std::string finish();

    /// `n` bytes from `from`, received in chunks while the queued sends progress.
    class incoming final : public byte_source {
    public:
        /// `on_chunk` (may be empty) sees every chunk as it arrives; the chunk's memory is
        /// reused for the next one, and only the last chunk may be shorter than the chunk size.
        incoming(chunk_pump& pump, int from, std::uint64_t n, piece_fn on_chunk = {});
        void read(unsigned char* dst, std::size_t n) override;
        void skim(std::size_t n, const piece_fn& f) override;
        /// Receives what the reader did not consume (after an error), so the sender completes.
        void drain();

    private:
        void next();
        chunk_pump& pump_;
        int from_;
        std::uint64_t left_;  // not yet received
        piece_fn on_chunk_;
        std::size_t pos_ = 0;
        std::size_t end_ = 0;
    };

private:
    void post_send();
    void wait(MPI_Request& recv);

    struct queued {
        int to;
        std::unique_ptr<file_source> src;
        std::uint64_t left;
        bool failed;  // a read failed: the rest goes out as zeros
    };
    MPI_Comm comm_;
    std::size_t chunk_;
    std::vector<queued> out_;
    std::size_t current_ = 0;
    MPI_Request send_ = MPI_REQUEST_NULL;
    std::vector<unsigned char>& send_buf_;
    std::vector<unsigned char>& recv_buf_;
    std::string error_;
};

}  // namespace cairn::detail
