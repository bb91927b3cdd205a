// Interposed completion calls: after MPI completes a tracked request, cairn reads the header of a
// received message, unpacks it, logs it if it is a late message, and fixes the status.
#include "boundary.hpp"
#include "intercept.hpp"
#include "piggyback.hpp"
#include "requests.hpp"

#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <vector>

using namespace cairn::detail;

namespace {

bool tracking() { return protocol::get().active() && !in_internal_scope(); }

// Copies of the handles before MPI may reset them to MPI_REQUEST_NULL.
const std::vector<MPI_Request>& snapshot(int n, const MPI_Request* reqs) {
    thread_local std::vector<MPI_Request> copy;  // NOLINT: reused per thread (no allocation)
    copy.assign(reqs, reqs + n);
    return copy;
}

int finish_one(MPI_Request before, MPI_Status* st) {
    if (boundary::collectives_pending.load(std::memory_order_relaxed) != 0) {
        boundary::collective_done(before);
    }
    return finish_request(before, st);  // nothing to do for an untracked request
}

// A status array the wrappers can read even when the application passes MPI_STATUSES_IGNORE.
class status_array {
public:
    status_array(int n, MPI_Status* user) : ptr_(user) {
        if (user == MPI_STATUSES_IGNORE) {
            thread_local std::vector<MPI_Status> local;  // NOLINT: reused per thread
            if (local.size() < static_cast<std::size_t>(n)) local.resize(static_cast<std::size_t>(n));
            ptr_ = local.data();
        }
    }
    [[nodiscard]] MPI_Status* get() const { return ptr_; }

private:
    MPI_Status* ptr_;
};

// True if an array completion call failed outright (not just in some statuses).
bool failed(int rc) { return rc != MPI_SUCCESS && rc != MPI_ERR_IN_STATUS; }

// Finishes requests before[indices[k]] with sts[k], k < count (indices == nullptr: k itself).
void finish_completed(const std::vector<MPI_Request>& before, int count, const int* indices,
                      MPI_Status* sts) {
    for (int k = 0; k < count; ++k) {
        const int i = indices == nullptr ? k : indices[k];
        finish_one(before[static_cast<std::size_t>(i)], &sts[k]);
    }
}

// A nonblocking collective's request completed by a single-request call: forgotten.
int collective_completed(int rc, MPI_Request before, int flag) {
    if ((rc == MPI_SUCCESS || truncated(rc)) && flag != 0) boundary::collective_done(before);
    return rc;
}

bool collectives_pending() {
    return boundary::collectives_pending.load(std::memory_order_relaxed) != 0;
}

}  // namespace

extern "C" {

int MPI_Wait(MPI_Request* req, MPI_Status* status) {
    if (collectives_pending() && !is_tracked(*req)) {
        const MPI_Request before = *req;
        return collective_completed(PMPI_Wait(req, status), before, 1);
    }
    if (!tracking() || !is_tracked(*req)) return PMPI_Wait(req, status);
    const MPI_Request before = *req;
    MPI_Status local;
    MPI_Status* st = status == MPI_STATUS_IGNORE ? &local : status;
    const int rc = PMPI_Wait(req, st);
    if (rc != MPI_SUCCESS && !truncated(rc)) return rc;
    const int rc2 = finish_one(before, st);  // a truncated message is received all the same
    return rc != MPI_SUCCESS ? rc : rc2;
}

int MPI_Test(MPI_Request* req, int* flag, MPI_Status* status) {
    if (collectives_pending() && !is_tracked(*req)) {
        const MPI_Request before = *req;
        const int rc = PMPI_Test(req, flag, status);
        return collective_completed(rc, before, *flag);
    }
    if (!tracking() || !is_tracked(*req)) return PMPI_Test(req, flag, status);
    const MPI_Request before = *req;
    MPI_Status local;
    MPI_Status* st = status == MPI_STATUS_IGNORE ? &local : status;
    const int rc = PMPI_Test(req, flag, st);
    if ((rc != MPI_SUCCESS && !truncated(rc)) || *flag == 0) return rc;
    const int rc2 = finish_one(before, st);
    return rc != MPI_SUCCESS ? rc : rc2;
}

int MPI_Waitall(int n, MPI_Request reqs[], MPI_Status statuses[]) {
    if (!tracking()) return PMPI_Waitall(n, reqs, statuses);
    const auto& before = snapshot(n, reqs);
    const status_array sts(n, statuses);
    const int rc = PMPI_Waitall(n, reqs, sts.get());
    if (failed(rc)) return rc;
    finish_completed(before, n, nullptr, sts.get());
    return rc;
}

int MPI_Testall(int n, MPI_Request reqs[], int* flag, MPI_Status statuses[]) {
    if (!tracking()) return PMPI_Testall(n, reqs, flag, statuses);
    const auto& before = snapshot(n, reqs);
    const status_array sts(n, statuses);
    const int rc = PMPI_Testall(n, reqs, flag, sts.get());
    if (failed(rc) || *flag == 0) return rc;
    finish_completed(before, n, nullptr, sts.get());
    return rc;
}

int MPI_Waitany(int n, MPI_Request reqs[], int* index, MPI_Status* status) {
    if (!tracking()) return PMPI_Waitany(n, reqs, index, status);
    const auto& before = snapshot(n, reqs);
    MPI_Status local;
    MPI_Status* st = status == MPI_STATUS_IGNORE ? &local : status;
    const int rc = PMPI_Waitany(n, reqs, index, st);
    if (rc != MPI_SUCCESS || *index == MPI_UNDEFINED) return rc;
    return finish_one(before[static_cast<std::size_t>(*index)], st);
}

int MPI_Testany(int n, MPI_Request reqs[], int* index, int* flag, MPI_Status* status) {
    if (!tracking()) return PMPI_Testany(n, reqs, index, flag, status);
    const auto& before = snapshot(n, reqs);
    MPI_Status local;
    MPI_Status* st = status == MPI_STATUS_IGNORE ? &local : status;
    const int rc = PMPI_Testany(n, reqs, index, flag, st);
    if (rc != MPI_SUCCESS || *flag == 0 || *index == MPI_UNDEFINED) return rc;
    return finish_one(before[static_cast<std::size_t>(*index)], st);
}

int MPI_Waitsome(int n, MPI_Request reqs[], int* outcount, int indices[], MPI_Status statuses[]) {
    if (!tracking()) return PMPI_Waitsome(n, reqs, outcount, indices, statuses);
    const auto& before = snapshot(n, reqs);
    const status_array sts(n, statuses);
    const int rc = PMPI_Waitsome(n, reqs, outcount, indices, sts.get());
    if (failed(rc) || *outcount == MPI_UNDEFINED) return rc;
    finish_completed(before, *outcount, indices, sts.get());
    return rc;
}

int MPI_Testsome(int n, MPI_Request reqs[], int* outcount, int indices[], MPI_Status statuses[]) {
    if (!tracking()) return PMPI_Testsome(n, reqs, outcount, indices, statuses);
    const auto& before = snapshot(n, reqs);
    const status_array sts(n, statuses);
    const int rc = PMPI_Testsome(n, reqs, outcount, indices, sts.get());
    if (failed(rc) || *outcount == MPI_UNDEFINED) return rc;
    finish_completed(before, *outcount, indices, sts.get());
    return rc;
}

int MPI_Request_get_status(MPI_Request req, int* flag, MPI_Status* status) {
    if (!tracking() || !is_tracked(req)) return PMPI_Request_get_status(req, flag, status);
    const int rc = PMPI_Request_get_status(req, flag, status);
    if (rc != MPI_SUCCESS || *flag == 0 || status == MPI_STATUS_IGNORE) return rc;
    tracked_request* t = request_table::get().find(req);
    if (t != nullptr && t->what == tracked_request::kind::recv) {
        MPI_Count got = 0;
        PMPI_Get_elements_x(status, MPI_BYTE, &got);
        set_payload_count(status, got >= header_bytes ? got - header_bytes : 0);
    }
    return rc;
}

int MPI_Start(MPI_Request* req) {
    if (tracking()) {
        tracked_request* t = request_table::get().find(*req);
        if (t != nullptr && t->what == tracked_request::kind::send) {
            if (t->packed) {
                // Packed with cairn's own reference to the type (tracked_request::utype), so the
                // size is the one MPI_Send_init fixed; checked all the same, never copied past
                // the buffer MPI was given.
                thread_local std::vector<unsigned char> fresh;  // NOLINT: reused per thread
                pack_message(msg_header{}, t->ubuf, t->ucount, t->utype, t->comm, fresh);
                if (fresh.size() != t->bounce.size()) {
                    std::fprintf(stderr,
                                 "cairn: MPI_Start: a persistent send packs to %zu bytes now, "
                                 "%zu at MPI_Send_init; not started\n",
                                 fresh.size(), t->bounce.size());
                    return MPI_ERR_INTERN;
                }
                const msg_header h = protocol::get().on_send(t->dest_world);
                std::memcpy(fresh.data(), &h, header_bytes);
                std::memcpy(t->bounce.data(), fresh.data(), fresh.size());
            } else {
                t->hdr = protocol::get().on_send(t->dest_world);
            }
        }
        if (t != nullptr) t->active = true;
    }
    return PMPI_Start(req);
}

int MPI_Startall(int n, MPI_Request reqs[]) {
    for (int i = 0; i < n; ++i) {
        const int rc = MPI_Start(&reqs[i]);
        if (rc != MPI_SUCCESS) return rc;
    }
    return MPI_SUCCESS;
}

int MPI_Cancel(MPI_Request* req) {
    // The status seen at completion tells whether the cancel succeeded; finish_request then
    // uncounts a cancelled send.
    return PMPI_Cancel(req);
}

int MPI_Request_free(MPI_Request* req) {
    if (tracking() && is_tracked(*req)) {
        int done = 0;
        PMPI_Request_get_status(*req, &done, MPI_STATUS_IGNORE);
        if (done != 0) {
            // Complete (or an inactive persistent request): MPI no longer touches the bounce
            // buffer or the types, so the record goes with the request.
            const MPI_Request before = *req;
            const int rc = PMPI_Request_free(req);
            request_table::get().remove(before);
            return rc;
        }
        // An active request freed by the application (persistent ones included): MPI completes
        // it later, unseen. Its bounce buffer and types must outlive it, so the record moves to
        // a list that lives until exit (its handle value may be reused by MPI for another
        // request at once).
        static std::vector<tracked_ptr> freed;  // NOLINT
        static std::mutex mu;                                           // NOLINT
        auto rec = request_table::get().remove(*req);
        const std::lock_guard<std::mutex> lock(mu);
        freed.push_back(std::move(rec));
    }
    return PMPI_Request_free(req);
}

}  // extern "C"
