#include "image.hpp"

#include "../checksum.hpp"

#include <cstring>
#include <stdexcept>

namespace cairn::detail {

namespace {

constexpr char head_magic[8] = {'C', 'A', 'I', 'R', 'N', 'I', 'M', 'G'};
constexpr char tail_magic[8] = {'C', 'A', 'I', 'R', 'N', 'E', 'N', 'D'};
constexpr std::size_t trailer_bytes = 16;  // checksum + tail magic
constexpr std::size_t fixed_head = 16;     // magic + total length

class sink {
public:
    explicit sink(std::vector<unsigned char>& out) : out_(out) {}
    void raw(const void* p, std::size_t n) {
        const auto* c = static_cast<const unsigned char*>(p);
        out_.insert(out_.end(), c, c + n);
    }
    template <class T>
    void put(T v) {
        raw(&v, sizeof v);
    }
    void str(const std::string& s) {
        put<std::uint64_t>(s.size());
        raw(s.data(), s.size());
    }
    void u64s(const std::vector<std::uint64_t>& v) {
        put<std::uint64_t>(v.size());
        raw(v.data(), v.size() * sizeof(std::uint64_t));
    }

private:
    std::vector<unsigned char>& out_;
};

class source {
public:
    source(const unsigned char* p, std::size_t n, const std::string& origin)
        : p_(p), n_(n), origin_(origin) {}
    const unsigned char* take(std::size_t n) {
        if (n > n_ - at_) throw corrupt_error(origin_ + ": rank image is truncated");
        const unsigned char* r = p_ + at_;
        at_ += n;
        return r;
    }
    template <class T>
    T get() {
        T v;
        std::memcpy(&v, take(sizeof v), sizeof v);
        return v;
    }
    std::string str() {
        const auto n = get<std::uint64_t>();
        const auto* c = take(n);
        return {reinterpret_cast<const char*>(c), n};
    }
    std::vector<std::uint64_t> u64s() {
        const auto n = get<std::uint64_t>();
        if (n > (n_ - at_) / sizeof(std::uint64_t)) take(n_);  // throws: truncated
        std::vector<std::uint64_t> v(n);
        const auto* src = take(n * sizeof(std::uint64_t));
        if (n != 0) std::memcpy(v.data(), src, n * sizeof(std::uint64_t));  // data() may be null
        return v;
    }
    [[nodiscard]] std::size_t at() const { return at_; }

private:
    const unsigned char* p_;
    std::size_t n_;
    std::size_t at_ = 0;
    const std::string& origin_;
};

void put_meta(sink& s, const checkpoint_meta& m, int rank) {
    s.put<std::uint32_t>(image_format_version);
    s.put<std::uint64_t>(m.epoch);
    s.put<std::uint64_t>(m.safe_point);
    s.put<std::uint64_t>(m.color);
    s.put<std::int32_t>(rank);
    s.put<std::int32_t>(m.nranks);
    s.put<std::int64_t>(m.time_unix);
    s.str(m.cairn_version);
    s.str(m.app_name);
    s.str(m.time_iso);
    s.str(m.job_id);
    s.str(m.checksum_algorithm);
    s.put<double>(m.interval_delta);
    s.put<double>(m.interval_mtbf);
    s.put<double>(m.interval_t);
    s.put<std::uint64_t>(m.stats.bytes);
    s.put<double>(m.stats.stall_seconds);
    s.put<double>(m.stats.write_seconds);
    s.put<std::uint64_t>(m.stats.messages_logged);
    s.put<std::uint64_t>(m.stats.aborted_epochs);
    s.put<std::uint64_t>(m.stats.staging_waits);
    s.put<std::int32_t>(m.stats.nonblocking);
}

int get_meta(source& s, checkpoint_meta& m, const std::string& origin) {
    const auto version = s.get<std::uint32_t>();
    if (version != image_format_version) {
        throw corrupt_error(origin + ": rank image format version " + std::to_string(version) +
                            " (this cairn reads version " +
                            std::to_string(image_format_version) + ")");
    }
    m.epoch = s.get<std::uint64_t>();
    m.safe_point = s.get<std::uint64_t>();
    m.color = s.get<std::uint64_t>();
    const int rank = s.get<std::int32_t>();
    m.nranks = s.get<std::int32_t>();
    m.time_unix = s.get<std::int64_t>();
    m.cairn_version = s.str();
    m.app_name = s.str();
    m.time_iso = s.str();
    m.job_id = s.str();
    m.checksum_algorithm = s.str();
    m.interval_delta = s.get<double>();
    m.interval_mtbf = s.get<double>();
    m.interval_t = s.get<double>();
    m.stats.bytes = s.get<std::uint64_t>();
    m.stats.stall_seconds = s.get<double>();
    m.stats.write_seconds = s.get<double>();
    m.stats.messages_logged = s.get<std::uint64_t>();
    m.stats.aborted_epochs = s.get<std::uint64_t>();
    m.stats.staging_waits = s.get<std::uint64_t>();
    m.stats.nonblocking = s.get<std::int32_t>();
    return rank;
}

std::string describe_shape(const buffer_desc& b) {
    std::string s;
    for (int d = 0; d < b.ndims; ++d) {
        s += (d == 0 ? "" : "x") + std::to_string(b.global[static_cast<std::size_t>(d)]);
    }
    return s;
}

}  // namespace

std::vector<unsigned char> build_image(const checkpoint_meta& meta, int rank,
                                       const std::vector<buffer_desc>& bufs,
                                       const channel_state& chan) {
    std::vector<unsigned char> out;
    build_image(meta, rank, bufs, chan, out);
    return out;
}

void build_image(const checkpoint_meta& meta, int rank, const std::vector<buffer_desc>& bufs,
                 const channel_state& chan, std::vector<unsigned char>& out) {
    std::size_t total = 4096 + chan.payload_bytes() + 64 * chan.messages.size();
    for (const auto& b : bufs) total += b.bytes() + 256 + b.name.size();
    out.clear();
    out.reserve(total);
    sink s(out);
    s.raw(head_magic, sizeof head_magic);
    s.put<std::uint64_t>(0);  // total length, patched below
    put_meta(s, meta, rank);
    s.put<std::uint64_t>(bufs.size());
    for (const auto& b : bufs) {
        s.str(b.name);
        s.put<std::int32_t>(static_cast<std::int32_t>(b.kind));
        s.put<std::int32_t>(static_cast<std::int32_t>(b.elem));
        s.put<std::int32_t>(b.ndims);
        for (int d = 0; d < 3; ++d) {
            s.put<std::uint64_t>(b.global[static_cast<std::size_t>(d)]);
            s.put<std::uint64_t>(b.offset[static_cast<std::size_t>(d)]);
            s.put<std::uint64_t>(b.extent[static_cast<std::size_t>(d)]);
        }
        s.put<std::uint64_t>(b.count);
        s.put<std::uint8_t>(b.variable ? 1 : 0);
        s.put<std::uint8_t>(b.object ? 1 : 0);
        s.str(b.format_tag);
        s.put<std::uint64_t>(hash_buffer(b));
        s.put<std::uint64_t>(b.bytes());
        for_each_block_row(b, [&](const unsigned char* row, std::size_t n) { s.raw(row, n); });
    }
    s.put<std::uint64_t>(chan.messages.size());
    for (const auto& m : chan.messages) {
        s.put<std::uint32_t>(m.comm_id);
        s.put<std::int32_t>(m.source);
        s.put<std::int32_t>(m.tag);
        s.put<std::uint32_t>(m.epoch);
        s.put<std::uint64_t>(m.payload.size());
        s.raw(m.payload.data(), m.payload.size());
    }
    s.u64s(chan.sent_white);
    s.u64s(chan.recv_before);
    s.u64s(chan.logged);
    const std::uint64_t len = out.size() + trailer_bytes;
    std::memcpy(out.data() + sizeof head_magic, &len, sizeof len);
    const std::uint64_t sum = hash_bytes(out.data(), out.size());
    s.put<std::uint64_t>(sum);
    s.raw(tail_magic, sizeof tail_magic);
}

std::string check_image(const std::vector<unsigned char>& bytes) {
    if (bytes.size() < fixed_head + trailer_bytes ||
        std::memcmp(bytes.data(), head_magic, sizeof head_magic) != 0) {
        return "not a cairn rank image";
    }
    std::uint64_t len = 0;
    std::memcpy(&len, bytes.data() + sizeof head_magic, sizeof len);
    if (len != bytes.size()) {
        return "rank image is " + std::to_string(bytes.size()) + " bytes, its header says " +
               std::to_string(len) + " (truncated or damaged)";
    }
    const std::size_t body = bytes.size() - trailer_bytes;
    if (std::memcmp(bytes.data() + body + 8, tail_magic, sizeof tail_magic) != 0) {
        return "rank image has no end marker (truncated or damaged)";
    }
    std::uint64_t sum = 0;
    std::memcpy(&sum, bytes.data() + body, sizeof sum);
    if (hash_bytes(bytes.data(), body) != sum) return "rank image checksum mismatch";
    return "";
}

rank_image parse_image(std::vector<unsigned char> bytes, const std::string& origin) {
    const std::string bad = check_image(bytes);
    if (!bad.empty()) throw corrupt_error(origin + ": " + bad);
    rank_image img;
    img.bytes = std::move(bytes);
    source s(img.bytes.data(), img.bytes.size() - trailer_bytes, origin);
    s.take(fixed_head);
    img.rank = get_meta(s, img.meta, origin);
    const auto nbuf = s.get<std::uint64_t>();
    if (nbuf > img.bytes.size()) throw corrupt_error(origin + ": bad buffer count");
    for (std::uint64_t i = 0; i < nbuf; ++i) {
        image_buffer ib;
        buffer_desc& b = ib.desc;
        b.name = s.str();
        b.kind = static_cast<buffer_kind>(s.get<std::int32_t>());
        b.elem = static_cast<type>(s.get<std::int32_t>());
        b.ndims = s.get<std::int32_t>();
        if (b.ndims < 1 || b.ndims > 3) throw corrupt_error(origin + ": bad rank of '" + b.name + "'");
        for (std::size_t d = 0; d < 3; ++d) {
            b.global[d] = s.get<std::uint64_t>();
            b.offset[d] = s.get<std::uint64_t>();
            b.extent[d] = s.get<std::uint64_t>();
        }
        b.count = s.get<std::uint64_t>();
        b.variable = s.get<std::uint8_t>() != 0;
        b.object = s.get<std::uint8_t>() != 0;
        b.format_tag = s.str();
        ib.checksum = s.get<std::uint64_t>();
        const auto n = s.get<std::uint64_t>();
        if (n != b.bytes()) throw corrupt_error(origin + ": size of '" + b.name + "' is wrong");
        b.data = const_cast<unsigned char*>(s.take(n));  // NOLINT: owned by img.bytes
        b.mem_shape = b.extent;
        b.mem_offset = {0, 0, 0};
        if (b.kind == buffer_kind::per_rank) b.mem_shape = {b.count, 0, 0};
        if (hash_bytes(b.data, n) != ib.checksum) {
            throw corrupt_error(origin + ": checksum mismatch in buffer '" + b.name + "'");
        }
        img.buffers.push_back(std::move(ib));
    }
    const auto nmsg = s.get<std::uint64_t>();
    if (nmsg > img.bytes.size()) throw corrupt_error(origin + ": bad message count");
    for (std::uint64_t i = 0; i < nmsg; ++i) {
        logged_message m;
        m.comm_id = s.get<std::uint32_t>();
        m.source = s.get<std::int32_t>();
        m.tag = s.get<std::int32_t>();
        m.epoch = s.get<std::uint32_t>();
        const auto n = s.get<std::uint64_t>();
        const unsigned char* p = s.take(n);
        m.payload.assign(p, p + n);
        img.channel.messages.push_back(std::move(m));
    }
    img.channel.sent_white = s.u64s();
    img.channel.recv_before = s.u64s();
    img.channel.logged = s.u64s();
    return img;
}

void load_image(const rank_image& img, const std::vector<buffer_desc>& bufs) {
    const std::string where = "rank image of checkpoint " + std::to_string(img.meta.epoch);
    if (img.buffers.size() != bufs.size()) {
        throw mismatch_error(where + " holds " + std::to_string(img.buffers.size()) +
                             " buffers, this rank registered " + std::to_string(bufs.size()));
    }
    for (std::size_t i = 0; i < bufs.size(); ++i) {
        const buffer_desc& s = img.buffers[i].desc;
        buffer_desc b = bufs[i];
        if (s.name != b.name || s.kind != b.kind || s.elem != b.elem || s.ndims != b.ndims ||
            s.variable != b.variable || s.object != b.object || s.format_tag != b.format_tag) {
            throw mismatch_error(where + ": buffer " + std::to_string(i) + " is '" + s.name +
                                 "' (" + type_name(s.elem) + "), registered '" + b.name + "' (" +
                                 type_name(b.elem) + ")");
        }
        if (b.kind == buffer_kind::distributed &&
            (s.global != b.global || s.offset != b.offset || s.extent != b.extent)) {
            throw mismatch_error(where + ": distributed buffer '" + b.name + "' has shape " +
                                 describe_shape(s) + " and another block than registered (" +
                                 describe_shape(b) + ")");
        }
        if (b.variable) {
            b.count = s.count;
            b.extent[0] = s.count;
            b.mem_shape[0] = s.count;
            b.data = b.resize(s.count);
            if (b.data == nullptr && s.count > 0) {
                throw mismatch_error("resize of '" + b.name + "' returned a null pointer");
            }
        } else if (b.count != s.count) {
            throw mismatch_error(where + ": '" + b.name + "' holds " + std::to_string(s.count) +
                                 " elements, registered " + std::to_string(b.count));
        }
        const auto* src = static_cast<const unsigned char*>(s.data);
        auto* base = static_cast<unsigned char*>(b.data);
        for_each_block_row(b, [&](const unsigned char* row, std::size_t n) {
            std::memcpy(base + (row - static_cast<const unsigned char*>(b.data)), src, n);
            src += n;
        });
    }
}

}  // namespace cairn::detail
