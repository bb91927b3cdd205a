// What cairn remembers about the application's non-blocking requests until they complete.
#pragma once

#include "header.hpp"

#include <mpi.h>

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace cairn::detail {

/// One tracked request.
struct tracked_request {
    enum class kind { send, recv } what = kind::send;
    bool persistent = false;
    bool packed = false;                  ///< small-message path (bounce buffer)
    std::vector<unsigned char> bounce;    ///< send: [header|data]; recv: receive area
    msg_header hdr;                       ///< header storage for the struct path
    MPI_Datatype stype = MPI_DATATYPE_NULL;  ///< struct type of the large path
    const void* ubuf = nullptr;           ///< application buffer
    int ucount = 0;
    /// The application's datatype as the wrappers use it after the call that created the
    /// request: a predefined type, or cairn's own duplicate of a derived one (hold_type()). The
    /// application may free its handle while the request is pending or persistent (MPI-3.1
    /// 4.1.9), and MPI may hand the same handle value out again for a new type.
    MPI_Datatype utype = MPI_DATATYPE_NULL;
    bool owns_utype = false;              ///< utype is cairn's duplicate (freed with the record)
    MPI_Comm comm = MPI_COMM_NULL;
    int dest_world = -1;                  ///< send: destination in MPI_COMM_WORLD
    int peer = 0;                         ///< recv: source as posted (may be MPI_ANY_SOURCE)
    int tag = 0;                          ///< recv: tag as posted (may be MPI_ANY_TAG)
    bool active = true;                   ///< started and not completed (persistent: MPI_Start)

    ~tracked_request();
    /// Sets utype to `dt`, holding a reference of cairn's own (MPI_Type_dup) if `dt` is derived.
    /// Returns an MPI error code.
    int hold_type(MPI_Datatype dt);
    tracked_request() = default;
    tracked_request(const tracked_request&) = delete;
    tracked_request& operator=(const tracked_request&) = delete;
};

/// Gives a finished record back for reuse (its bounce buffer keeps its capacity): the per-message
/// path of non-blocking calls then allocates nothing in the steady state.
struct tracked_recycler {
    void operator()(tracked_request* t) const noexcept;
};
using tracked_ptr = std::unique_ptr<tracked_request, tracked_recycler>;

/// A fresh record (a recycled one when the calling thread has one).
tracked_ptr make_tracked();

/// Table keyed by the MPI_Request handle value.
class request_table {
public:
    static request_table& get();

    void add(MPI_Request r, tracked_ptr t);
    /// Non-owning lookup (nullptr if untracked).
    tracked_request* find(MPI_Request r);
    /// Removes and returns the record.
    tracked_ptr remove(MPI_Request r);
    /// For finishing a completed request in one lookup: the record, and its ownership unless it
    /// is persistent (a persistent record stays in the table). {nullptr, {}} if untracked.
    std::pair<tracked_request*, tracked_ptr> take_finished(MPI_Request r);
    /// Number of active application requests (reported when pending across a safe point).
    [[nodiscard]] std::size_t size() const;
    [[nodiscard]] bool empty() const { return size() == 0; }
    /// Number of tracked non-persistent requests: started and not completed. (Persistent ones
    /// stay in the table while inactive, so size() counts them whether started or not.)
    [[nodiscard]] std::size_t pending_nonpersistent() const;
    /// Active application requests (persistent ones only between MPI_Start and completion).
    [[nodiscard]] std::size_t active() const;
    /// Active receive requests, and a description of the first ("communicator C, source S, tag
    /// T"; "" if there is none).
    [[nodiscard]] std::size_t active_receives(std::string* first) const;
    /// True if MPI has completed an active receive request the application has not completed
    /// yet (MPI_Request_get_status): it holds a message cairn has not seen.
    [[nodiscard]] bool receive_completed_unseen() const;

private:
    mutable std::mutex mu_;
    std::unordered_map<MPI_Request, tracked_ptr> map_;
};

/// Completes the bookkeeping of a finished request: for receives reads the header, unpacks,
/// logs late messages and fixes the status; for sends frees the bounce buffer. (Messages
/// delivered from the queue use generalized requests, which need no bookkeeping.) `before` is the handle value before MPI completed it. Returns an
/// MPI error code to report (MPI_SUCCESS normally).
int finish_request(MPI_Request before, MPI_Status* st);

/// True if `r` is tracked (a cheap test used by the Wait/Test wrappers).
bool is_tracked(MPI_Request r);

}  // namespace cairn::detail
