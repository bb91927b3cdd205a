// cairn._cairn: the compiled part of the Python package. Each call goes to the C++ API of the one
// runtime (libcairn); the pure-Python part (cairn/__init__.py) adds keyword configuration, the
// import-order handling for mpi4py and the session context manager.
//
// The GIL is released wherever the runtime may wait for other ranks or write (init, restore,
// safe_point, checkpoint_now, finalize): Python threads of the application run meanwhile, and
// callbacks of registered objects take it back when the runtime calls them.
#include "python/bindings.hpp"

#include "common/error.hpp"

#include "common/config.hpp"
#include "pmpi/layer.hpp"

#include <cairn/cairn.hpp>

#include <pybind11/stl.h>

#include <mpi.h>

namespace py = pybind11;

namespace cairn::python {

namespace {

void init(const py::object& comm_handle, const std::string& app_name,
          const std::string& config_file, int thread_level, const std::string& run_key) {
    init_options opts;
    opts.app_name = app_name;
    opts.run_key = run_key;  // the script's arguments; the run_key setting wins over it
    opts.config_file = config_file;
    opts.thread_level = thread_level;
    if (!comm_handle.is_none()) {
        // A Fortran handle (mpi4py's Comm.py2f()): MPI is initialised, or there would be no
        // communicator other than MPI_COMM_WORLD to pass.
        opts.comm = MPI_Comm_f2c(static_cast<MPI_Fint>(comm_handle.cast<long long>()));
    }
    py::gil_scoped_release nogil;
    cairn::init(nullptr, nullptr, opts);
}

/// Parses the configuration as init() will (file, then the CAIRN_* environment) and raises what
/// init() would, before MPI is initialised: a bad setting can be fixed and init() called again.
void check_config(const std::string& config_file) {
    try {
        (void)detail::load_config(config_file, detail::cairn_environment());
    } catch (const std::invalid_argument& e) {
        throw detail::make_error(std::string("invalid cairn configuration: ") + e.what());
    }
}

bool mpi_initialized() {
    int flag = 0;
    MPI_Initialized(&flag);
    return flag != 0;
}

}  // namespace

void add_lifecycle(py::module_& m) {
    m.def("init", &init, py::arg("comm_handle"), py::arg("app_name"), py::arg("config_file"),
          py::arg("thread_level"), py::arg("run_key"));
    m.def("finalize", &cairn::finalize, py::call_guard<py::gil_scoped_release>());
    m.def("initialized", &cairn::initialized);
    m.def("restore", &cairn::restore, py::call_guard<py::gil_scoped_release>());
    m.def("restarted", &cairn::restarted);
    m.def("safe_point", &cairn::safe_point, py::call_guard<py::gil_scoped_release>());
    m.def("checkpoint_now", &cairn::checkpoint_now, py::call_guard<py::gil_scoped_release>());
    m.def("request_checkpoint", &cairn::request_checkpoint);
    m.def("exit_requested", &cairn::exit_requested);
    m.def("safe_point_index", &cairn::safe_point_index);
    m.def("epoch", &cairn::epoch);
    m.def("committed_epochs", &cairn::committed_epochs);
    m.def("version", [] { return std::string(cairn::version()); });
    m.def("mpi_initialized", &mpi_initialized);
    // The interposition layer's state: set up by cairn's MPI_Init wrapper, active in mode
    // nonblocking; requested_mode() is what the environment (and $CAIRN_CONFIG) ask for.
    m.def("layer_initialized", &detail::layer_initialized);
    m.def("layer_nonblocking", &detail::layer_nonblocking);
    m.def("requested_mode", &detail::requested_mode);
    m.def("config_keys", &detail::config_keys);
    m.def("check_config", &check_config, py::arg("config_file"));
    m.def("where", &detail::where);  // "rank R on HOST", the prefix of the runtime's errors
    m.attr("THREAD_SINGLE") = static_cast<int>(MPI_THREAD_SINGLE);
    m.attr("THREAD_MULTIPLE") = static_cast<int>(MPI_THREAD_MULTIPLE);
}

}  // namespace cairn::python

PYBIND11_MODULE(_cairn, m) {
    m.doc() = "Compiled part of the cairn package (use the cairn module, not this one).";
    py::register_exception<cairn::error>(m, "Error", PyExc_RuntimeError);
    cairn::python::add_lifecycle(m);
    cairn::python::add_arrays(m);
    cairn::python::add_objects(m);
    cairn::python::add_probe(m);
}
