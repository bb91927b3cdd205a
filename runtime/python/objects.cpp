// Registration of Python objects through save/load callbacks: the pure-Python side turns the
// user's save()/load() into callables that return and take bytes (pickle); here they become the
// runtime's object callbacks. The runtime calls save() at the safe point on the application's
// thread and load() during restore(), possibly on its I/O thread: both take the GIL, which the
// waiting call (safe_point, restore) has released.
#include "python/bindings.hpp"

#include "common/error.hpp"

#include <cairn/cairn.hpp>

#include <memory>
#include <string>

namespace py = pybind11;

namespace cairn::python {

namespace {

/// A Python callable owned from C++: released under the GIL, or leaked when the interpreter is
/// already gone (a runtime destroyed at process exit).
class callable {
public:
    explicit callable(py::object f) : f_(std::move(f)) {}
    callable(const callable&) = delete;
    callable& operator=(const callable&) = delete;
    ~callable() {
        if (Py_IsInitialized() == 0) {
            (void)f_.release();
            return;
        }
        try {
            py::gil_scoped_acquire gil;
            f_ = py::object();
        } catch (...) {  // NOLINT(bugprone-empty-catch): destructors never throw; leak instead
            (void)f_.release();
        }
    }
    [[nodiscard]] const py::object& get() const { return f_; }

private:
    py::object f_;
};

/// The message of the Python exception being handled, as "Type: message".
std::string describe(const py::error_already_set& e) {
    return e.what();
}

void register_object(const std::string& name, const std::string& tag, py::object save,
                     py::object load) {
    auto s = std::make_shared<callable>(std::move(save));
    auto l = std::make_shared<callable>(std::move(load));
    cairn::register_object(
        name, tag,
        [s, name](byte_writer& w) {
            py::gil_scoped_acquire gil;
            try {
                const py::bytes b = s->get()();
                const std::string_view v = b;
                w.write(v.data(), v.size());
            } catch (const py::error_already_set& e) {
                throw detail::make_error("save() of object '" + name + "' raised " + describe(e));
            } catch (const py::builtin_exception&) {
                throw detail::make_error("save() of object '" + name + "' did not return bytes");
            }
        },
        [l, name](byte_reader& r) {
            std::string bytes(r.remaining(), '\0');
            r.read(bytes.data(), bytes.size());
            py::gil_scoped_acquire gil;
            try {
                l->get()(py::bytes(bytes));
            } catch (const py::error_already_set& e) {
                throw detail::make_error("load() of object '" + name + "' raised " + describe(e));
            }
        });
}

}  // namespace

void add_objects(py::module_& m) {
    m.def("register_object", &register_object, py::arg("name"), py::arg("tag"), py::arg("save"),
          py::arg("load"));
}

}  // namespace cairn::python
