#include "requests.hpp"

#include "comm_ids.hpp"
#include "piggyback.hpp"
#include "protocol.hpp"

#include <cstring>

namespace cairn::detail {

tracked_request::~tracked_request() {
    if (stype == MPI_DATATYPE_NULL && !(owns_utype && utype != MPI_DATATYPE_NULL)) return;
    int fin = 0;
    PMPI_Finalized(&fin);
    if (stype != MPI_DATATYPE_NULL && fin == 0) PMPI_Type_free(&stype);
    if (owns_utype && utype != MPI_DATATYPE_NULL && fin == 0) PMPI_Type_free(&utype);
}

namespace {

// Set when the thread's cache below is destroyed: records released after that (by static
// objects destroyed at exit, which may still hold records) are deleted, not cached. A trivially
// destructible flag stays readable after the cache's destructor has run.
thread_local bool cache_gone = false;  // NOLINT: per thread by nature

// Records kept for reuse by the thread that finished them (freed when the thread exits).
struct record_cache {
    std::vector<tracked_request*> free;
    ~record_cache() {
        cache_gone = true;
        for (tracked_request* t : free) delete t;  // NOLINT(cppcoreguidelines-owning-memory)
        free.clear();
    }
};
thread_local record_cache cache;  // NOLINT: per thread by nature
constexpr std::size_t cache_records = 256;
constexpr std::size_t cache_bounce_bytes = 64 * 1024;  // larger bounce buffers are not kept

}  // namespace

void tracked_recycler::operator()(tracked_request* t) const noexcept {
    if (t == nullptr) return;
    if (cache_gone || cache.free.size() >= cache_records ||
        t->bounce.capacity() > cache_bounce_bytes) {
        delete t;  // NOLINT(cppcoreguidelines-owning-memory)
        return;
    }
    std::vector<unsigned char> keep = std::move(t->bounce);
    t->~tracked_request();
    new (t) tracked_request();
    keep.clear();
    t->bounce = std::move(keep);
    try {
        cache.free.push_back(t);
    } catch (...) {  // out of memory: the record is simply not kept
        delete t;  // NOLINT(cppcoreguidelines-owning-memory)
    }
}

tracked_ptr make_tracked() {
    if (!cache_gone && !cache.free.empty()) {
        tracked_request* t = cache.free.back();
        cache.free.pop_back();
        return tracked_ptr(t);
    }
    return tracked_ptr(new tracked_request());  // NOLINT(cppcoreguidelines-owning-memory)
}

int tracked_request::hold_type(MPI_Datatype dt) {
    if (dt == MPI_DATATYPE_NULL || facts_of(dt).known) {
        utype = dt;  // predefined: valid for the life of MPI
        return MPI_SUCCESS;
    }
    // A duplicate has the same type map and stays valid until cairn frees it, whatever the
    // application does with its own handle.
    const int rc = PMPI_Type_dup(dt, &utype);
    if (rc != MPI_SUCCESS) {
        utype = MPI_DATATYPE_NULL;
        return rc;
    }
    owns_utype = true;
    return MPI_SUCCESS;
}

request_table& request_table::get() {
    static request_table t;  // NOLINT: process-wide by nature
    return t;
}

void request_table::add(MPI_Request r, tracked_ptr t) {
    const std::lock_guard<std::mutex> lock(mu_);
    map_[r] = std::move(t);
}

tracked_request* request_table::find(MPI_Request r) {
    const std::lock_guard<std::mutex> lock(mu_);
    const auto it = map_.find(r);
    return it == map_.end() ? nullptr : it->second.get();
}

tracked_ptr request_table::remove(MPI_Request r) {
    const std::lock_guard<std::mutex> lock(mu_);
    const auto it = map_.find(r);
    if (it == map_.end()) return nullptr;
    auto out = std::move(it->second);
    map_.erase(it);
    return out;
}

std::pair<tracked_request*, tracked_ptr> request_table::take_finished(MPI_Request r) {
    const std::lock_guard<std::mutex> lock(mu_);
    const auto it = map_.find(r);
    if (it == map_.end()) return {nullptr, nullptr};
    tracked_request* t = it->second.get();
    if (t->persistent) return {t, nullptr};
    auto out = std::move(it->second);
    map_.erase(it);
    return {t, std::move(out)};
}

std::size_t request_table::size() const {
    const std::lock_guard<std::mutex> lock(mu_);
    return map_.size();
}

std::size_t request_table::pending_nonpersistent() const {
    const std::lock_guard<std::mutex> lock(mu_);
    std::size_t n = 0;
    for (const auto& [handle, t] : map_) n += t->persistent ? 0 : 1;
    return n;
}

std::size_t request_table::active() const {
    const std::lock_guard<std::mutex> lock(mu_);
    std::size_t n = 0;
    for (const auto& [r, t] : map_) n += t->active ? 1 : 0;
    return n;
}

std::size_t request_table::active_receives(std::string* first) const {
    const std::lock_guard<std::mutex> lock(mu_);
    std::size_t n = 0;
    for (const auto& [r, t] : map_) {
        if (!t->active || t->what != tracked_request::kind::recv) continue;
        if (n++ == 0 && first != nullptr) {
            auto show = [](int v, int any) { return v == any ? std::string("any") : std::to_string(v); };
            *first = "communicator " + std::to_string(info_of(t->comm).id) + ", source " +
                     show(t->peer, MPI_ANY_SOURCE) + ", tag " + show(t->tag, MPI_ANY_TAG);
        }
    }
    return n;
}

bool request_table::receive_completed_unseen() const {
    const std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [r, t] : map_) {
        if (!t->active || t->what != tracked_request::kind::recv) continue;
        int done = 0;
        PMPI_Request_get_status(r, &done, MPI_STATUS_IGNORE);
        if (done != 0) return true;
    }
    return false;
}

bool is_tracked(MPI_Request r) {
    return r != MPI_REQUEST_NULL && request_table::get().find(r) != nullptr;
}

int finish_request(MPI_Request before, MPI_Status* st) {
    // One lookup: a non-persistent record leaves the table here and is recycled on return.
    auto taken = request_table::get().take_finished(before);
    tracked_request* t = taken.first;
    if (t == nullptr) return MPI_SUCCESS;
    int rc = MPI_SUCCESS;
    if (t->what == tracked_request::kind::recv) {
        int cancelled = 0;
        PMPI_Test_cancelled(st, &cancelled);
        if (cancelled == 0 && st->MPI_SOURCE != MPI_PROC_NULL) {
            const MPI_Count got = received_bytes(st);
            msg_header h;
            std::int64_t payload = 0;
            std::int64_t logged_bytes = -1;  // packed: payload bytes in the bounce buffer
            if (t->packed) {
                // A truncated message (MPI_ERR_TRUNCATE) filled the bounce buffer; the status
                // counts the whole message, as plain MPI's does.
                const MPI_Count in_bounce =
                    got < static_cast<MPI_Count>(t->bounce.size()) ? got
                                                                   : static_cast<MPI_Count>(t->bounce.size());
                if (unpack_message(t->bounce.data(), static_cast<int>(in_bounce), h,
                                   const_cast<void*>(t->ubuf), t->ucount, t->utype, t->comm) >= 0) {
                    payload = static_cast<std::int64_t>(got) - header_bytes;
                }
                logged_bytes = static_cast<std::int64_t>(in_bounce) - header_bytes;
            } else {
                h = t->hdr;
                payload = static_cast<std::int64_t>(got) - header_bytes;
            }
            if (payload < 0) payload = 0;
            if (logged_bytes < 0 || logged_bytes > payload) logged_bytes = payload;
            const comm_info& ci = info_of(t->comm);
            const int src_world = st->MPI_SOURCE >= 0 &&
                                          static_cast<std::size_t>(st->MPI_SOURCE) < ci.world_rank.size()
                                      ? ci.world_rank[static_cast<std::size_t>(st->MPI_SOURCE)]
                                      : -1;
            const std::int64_t pb = payload;
            tracked_request* tr = t;
            protocol::get().on_receive(h, ci.id, src_world, st->MPI_SOURCE, st->MPI_TAG, [&] {
                if (tr->packed) {
                    return std::vector<unsigned char>(tr->bounce.begin() + header_bytes,
                                                      tr->bounce.begin() + header_bytes + logged_bytes);
                }
                return pack_payload(tr->ubuf, pb, tr->ucount, tr->utype, tr->comm);
            });
            set_payload_count(st, payload);
        }
    } else {  // send
        int cancelled = 0;
        PMPI_Test_cancelled(st, &cancelled);
        if (cancelled != 0) {
            msg_header h = t->hdr;
            if (t->packed) std::memcpy(&h, t->bounce.data(), header_bytes);
            protocol::get().on_send_cancelled(h, t->dest_world);
        }
    }
    t->active = false;
    return rc;
}

}  // namespace cairn::detail
