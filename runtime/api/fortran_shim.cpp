// C entry point for the Fortran bindings (include/cairn/cairn.f90): init over a Fortran MPI
// communicator handle, converted with MPI_Comm_f2c.
#include <cairn/cairn.h>

#include <mpi.h>

extern "C" {

/// cairn_init_comm() for a Fortran communicator handle; app/cfg may be NULL. MPI must already be
/// initialised (a Fortran handle only exists then).
int cairn_init_fcomm(int fcomm, const char* app, const char* cfg);

int cairn_init_fcomm(int fcomm, const char* app, const char* cfg) {
    int init = 0;
    MPI_Initialized(&init);
    if (init == 0) return cairn_init_comm(nullptr, nullptr, MPI_COMM_WORLD, app, cfg);
    return cairn_init_comm(nullptr, nullptr, MPI_Comm_f2c(static_cast<MPI_Fint>(fcomm)), app, cfg);
}

}  // extern "C"
