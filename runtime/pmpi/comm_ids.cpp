#include "comm_ids.hpp"

#include <map>
#include <memory>
#include <mutex>

namespace cairn::detail {

namespace {

struct registry_state {
    std::mutex mu;
    int keyval = MPI_KEYVAL_INVALID;
    std::uint32_t next_id = 2;
    std::uint32_t next_lazy = 0x80000000U;
    std::map<std::uint32_t, MPI_Comm> by_id;
};

registry_state& state() {
    static registry_state s;  // NOLINT: process-wide by nature
    return s;
}

extern "C" int delete_info(MPI_Comm /*comm*/, int /*keyval*/, void* value, void* /*extra*/) {
    auto* info = static_cast<comm_info*>(value);
    {
        auto& s = state();
        const std::lock_guard<std::mutex> lock(s.mu);
        s.by_id.erase(info->id);
    }
    delete info;  // NOLINT(cppcoreguidelines-owning-memory): owned by the MPI attribute
    return MPI_SUCCESS;
}

std::unique_ptr<comm_info> make_info(MPI_Comm comm, std::uint32_t id) {
    auto info = std::make_unique<comm_info>();
    info->id = id;
    int inter = 0;
    PMPI_Comm_test_inter(comm, &inter);
    info->inter = inter != 0;
    {
        // Point-to-point ranks name the local group of an intracommunicator and the remote
        // group of an intercommunicator.
        MPI_Group g = MPI_GROUP_NULL;
        MPI_Group w = MPI_GROUP_NULL;
        if (info->inter) PMPI_Comm_remote_group(comm, &g);
        else PMPI_Comm_group(comm, &g);
        PMPI_Comm_group(MPI_COMM_WORLD, &w);
        int n = 0;
        PMPI_Group_size(g, &n);
        std::vector<int> ranks(static_cast<std::size_t>(n));
        for (int i = 0; i < n; ++i) ranks[static_cast<std::size_t>(i)] = i;
        info->world_rank.resize(static_cast<std::size_t>(n));
        PMPI_Group_translate_ranks(g, n, ranks.data(), w, info->world_rank.data());
        for (const int r : info->world_rank) info->outside = info->outside || r == MPI_UNDEFINED;
        PMPI_Group_free(&g);
        PMPI_Group_free(&w);
    }
    return info;
}

}  // namespace

void comm_ids_init() {
    auto& s = state();
    if (s.keyval != MPI_KEYVAL_INVALID) return;
    PMPI_Comm_create_keyval(MPI_COMM_NULL_COPY_FN, &delete_info, &s.keyval, nullptr);
    world_comm_info = *make_info(MPI_COMM_WORLD, 0);
    self_comm_info = *make_info(MPI_COMM_SELF, 1);
    s.by_id[0] = MPI_COMM_WORLD;
    s.by_id[1] = MPI_COMM_SELF;
}

void comm_ids_finalize() {
    auto& s = state();
    if (s.keyval != MPI_KEYVAL_INVALID) PMPI_Comm_free_keyval(&s.keyval);
    s.keyval = MPI_KEYVAL_INVALID;
}

comm_info world_comm_info;  // NOLINT: process-wide by nature
comm_info self_comm_info;   // NOLINT

const comm_info& info_of_attribute(MPI_Comm comm) {
    auto& s = state();
    void* value = nullptr;
    int found = 0;
    PMPI_Comm_get_attr(comm, s.keyval, &value, &found);
    if (found != 0) return *static_cast<comm_info*>(value);
    std::uint32_t id = 0;
    {
        const std::lock_guard<std::mutex> lock(s.mu);
        id = s.next_lazy++;
    }
    auto info = make_info(comm, id);
    comm_info* raw = info.release();
    PMPI_Comm_set_attr(comm, s.keyval, raw);
    const std::lock_guard<std::mutex> lock(s.mu);
    s.by_id[id] = comm;
    return *raw;
}

void register_new_comm(MPI_Comm comm) {
    auto& s = state();
    if (comm == MPI_COMM_NULL || s.keyval == MPI_KEYVAL_INVALID) return;
    std::uint32_t id = 0;
    {
        const std::lock_guard<std::mutex> lock(s.mu);
        id = s.next_id++;
    }
    auto info = make_info(comm, id);
    PMPI_Comm_set_attr(comm, s.keyval, info.release());
    const std::lock_guard<std::mutex> lock(s.mu);
    s.by_id[id] = comm;
}

MPI_Comm comm_by_id(std::uint32_t id) {
    auto& s = state();
    const std::lock_guard<std::mutex> lock(s.mu);
    const auto it = s.by_id.find(id);
    return it == s.by_id.end() ? MPI_COMM_NULL : it->second;
}

std::vector<MPI_Comm> known_comms() {
    auto& s = state();
    const std::lock_guard<std::mutex> lock(s.mu);
    std::vector<MPI_Comm> out;
    for (const auto& [id, c] : s.by_id) {
        if (id != 1) out.push_back(c);
    }
    return out;
}

}  // namespace cairn::detail
