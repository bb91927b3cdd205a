! cairn: application-level checkpoint/restart for MPI jobs (Fortran 2008 bindings).
!
! A thin layer over the C API (cairn.h) through iso_c_binding. Every function that can fail
! returns CAIRN_OK (0) or a negative code; cairn_last_error() gives the message.
!
! Typical use (after `use cairn`; this rank owns u(1:nloc) = elements offset+1 .. offset+nloc of
! a global array of n; the test doc_examples compiles it):
! ```fortran
! real(c_double), allocatable, target :: u(:)
! integer(c_int64_t), target :: step
! integer(c_int64_t) :: n, offset, nloc
! integer(c_int64_t), parameter :: nsteps = 100
! integer(c_int) :: ierr
! logical :: restored
! n = 400; nloc = 100; offset = 0    ! from the decomposition
! allocate(u(nloc))
! u = 0; step = 0
! ierr = cairn_init()                                ! initialises MPI too (see below)
! ierr = cairn_register_buffer("step", c_loc(step), CAIRN_INT64, 1_c_size_t)
! ierr = cairn_register_distributed("u", c_loc(u), CAIRN_FLOAT64, [n], [offset], [nloc])
! ierr = cairn_restore(restored)
! do while (step < nsteps)
!    u = u + 1; step = step + 1                      ! compute
!    ierr = cairn_safe_point()
!    if (cairn_exit_requested()) exit
! end do
! ierr = cairn_finalize()                            ! u and step stay allocated until here
! ```
!
! Array order: cairn stores distributed arrays in row-major (C) order, so a Fortran array
! A(nx, ny) (column-major) is registered with every shape and offset reversed: global shape
! [ny, nx], offset [oy, ox], extent [ly, lx]. The HDF5 dataset then has shape (ny, nx), which is
! what h5py shows, and A(i, j) is dataset element [j-1, i-1]. One-dimensional arrays need nothing.
!
! MPI: Open MPI's Fortran bindings call the PMPI_* entry points directly, so cairn's MPI
! interposition does not see MPI calls made from Fortran. Let cairn_init()/cairn_init_comm()
! initialise MPI (do not call MPI_Init yourself), or run with CAIRN_MODE=blocking. In the default
! non-blocking mode, point-to-point messages made from Fortran must be complete (received) before
! the next cairn_safe_point(), as they are in a typical halo exchange with MPI_Sendrecv or
! MPI_Waitall.
module cairn
    use, intrinsic :: iso_c_binding
    implicit none
    private

    !> Return codes.
    integer(c_int), parameter, public :: CAIRN_OK = 0
    integer(c_int), parameter, public :: CAIRN_ERR = -1
    integer(c_int), parameter, public :: CAIRN_ERR_ARG = -2
    integer(c_int), parameter, public :: CAIRN_ERR_STATE = -3

    !> Element types (values of enum cairn_type).
    integer(c_int), parameter, public :: CAIRN_INT8 = 1
    integer(c_int), parameter, public :: CAIRN_UINT8 = 2
    integer(c_int), parameter, public :: CAIRN_INT16 = 3
    integer(c_int), parameter, public :: CAIRN_UINT16 = 4
    integer(c_int), parameter, public :: CAIRN_INT32 = 5
    integer(c_int), parameter, public :: CAIRN_UINT32 = 6
    integer(c_int), parameter, public :: CAIRN_INT64 = 7
    integer(c_int), parameter, public :: CAIRN_UINT64 = 8
    integer(c_int), parameter, public :: CAIRN_FLOAT32 = 9
    integer(c_int), parameter, public :: CAIRN_FLOAT64 = 10
    integer(c_int), parameter, public :: CAIRN_BYTE = 11

    public :: cairn_init, cairn_init_comm, cairn_finalize
    public :: cairn_register_buffer, cairn_register_distributed
    public :: cairn_restore, cairn_restarted, cairn_safe_point, cairn_checkpoint_now
    public :: cairn_request_checkpoint, cairn_exit_requested, cairn_safe_point_index
    public :: cairn_epoch, cairn_last_error, cairn_version
    public :: cairn_initialized, cairn_committed_epochs

    interface
        function c_init(argc, argv) bind(C, name="cairn_init") result(rc)
            import :: c_int, c_ptr
            type(c_ptr), value :: argc, argv
            integer(c_int) :: rc
        end function c_init

        function c_init_fcomm(fcomm, app, cfg) bind(C, name="cairn_init_fcomm") result(rc)
            import :: c_int, c_ptr
            integer(c_int), value :: fcomm
            type(c_ptr), value :: app, cfg
            integer(c_int) :: rc
        end function c_init_fcomm

        function c_finalize() bind(C, name="cairn_finalize") result(rc)
            import :: c_int
            integer(c_int) :: rc
        end function c_finalize

        function c_register_buffer(name, data, t, count) bind(C, name="cairn_register_buffer") &
                result(rc)
            import :: c_int, c_ptr, c_char, c_size_t
            character(kind=c_char), dimension(*), intent(in) :: name
            type(c_ptr), value :: data
            integer(c_int), value :: t
            integer(c_size_t), value :: count
            integer(c_int) :: rc
        end function c_register_buffer

        function c_register_distributed(name, data, t, ndims, gshape, offset, extent, mshape, &
                moffset) bind(C, name="cairn_register_distributed") result(rc)
            import :: c_int, c_ptr, c_char
            character(kind=c_char), dimension(*), intent(in) :: name
            type(c_ptr), value :: data
            integer(c_int), value :: t, ndims
            type(c_ptr), value :: gshape, offset, extent, mshape, moffset
            integer(c_int) :: rc
        end function c_register_distributed

        function c_restore(restored) bind(C, name="cairn_restore") result(rc)
            import :: c_int
            integer(c_int), intent(out) :: restored
            integer(c_int) :: rc
        end function c_restore

        function c_restarted() bind(C, name="cairn_restarted") result(rc)
            import :: c_int
            integer(c_int) :: rc
        end function c_restarted

        function c_safe_point() bind(C, name="cairn_safe_point") result(rc)
            import :: c_int
            integer(c_int) :: rc
        end function c_safe_point

        function c_checkpoint_now() bind(C, name="cairn_checkpoint_now") result(rc)
            import :: c_int
            integer(c_int) :: rc
        end function c_checkpoint_now

        function c_request_checkpoint() bind(C, name="cairn_request_checkpoint") result(rc)
            import :: c_int
            integer(c_int) :: rc
        end function c_request_checkpoint

        function c_exit_requested() bind(C, name="cairn_exit_requested") result(rc)
            import :: c_int
            integer(c_int) :: rc
        end function c_exit_requested

        function c_safe_point_index() bind(C, name="cairn_safe_point_index") result(v)
            import :: c_int64_t
            integer(c_int64_t) :: v
        end function c_safe_point_index

        function c_epoch() bind(C, name="cairn_epoch") result(v)
            import :: c_int64_t
            integer(c_int64_t) :: v
        end function c_epoch

        function c_initialized() bind(C, name="cairn_initialized") result(v)
            import :: c_int
            integer(c_int) :: v
        end function c_initialized

        function c_committed_epochs(out, capacity, count) bind(C, name="cairn_committed_epochs") &
            result(rc)
            import :: c_int, c_ptr, c_size_t
            type(c_ptr), value :: out
            integer(c_size_t), value :: capacity
            integer(c_size_t), intent(out) :: count
            integer(c_int) :: rc
        end function c_committed_epochs

        function c_last_error() bind(C, name="cairn_last_error") result(p)
            import :: c_ptr
            type(c_ptr) :: p
        end function c_last_error

        function c_version() bind(C, name="cairn_version") result(p)
            import :: c_ptr
            type(c_ptr) :: p
        end function c_version

        function c_strlen(s) bind(C, name="strlen") result(n)
            import :: c_ptr, c_size_t
            type(c_ptr), value :: s
            integer(c_size_t) :: n
        end function c_strlen
    end interface

contains

    ! A NUL-terminated copy of a Fortran string (trailing blanks kept: names are exact).
    pure function c_string(s) result(out)
        character(len=*), intent(in) :: s
        character(kind=c_char, len=len(s) + 1) :: out
        out = s // c_null_char
    end function c_string

    ! A Fortran copy of a NUL-terminated C string ("" for a null pointer).
    function f_string(p) result(out)
        type(c_ptr), intent(in) :: p
        character(len=:), allocatable :: out
        character(kind=c_char), pointer :: chars(:)
        integer(c_size_t) :: n, i
        if (.not. c_associated(p)) then
            out = ""
            return
        end if
        n = c_strlen(p)
        call c_f_pointer(p, chars, [n])
        allocate(character(len=n) :: out)
        do i = 1, n
            out(i:i) = chars(i)
        end do
    end function f_string

    !> Initialises cairn over MPI_COMM_WORLD; initialises MPI if needed (as MPI_Init would for
    !> the program; cairn asks MPI_THREAD_MULTIPLE for its own threads).
    integer(c_int) function cairn_init() result(rc)
        rc = c_init(c_null_ptr, c_null_ptr)
    end function cairn_init

    !> Initialises cairn over the Fortran MPI communicator `comm` (an MPI handle integer; with
    !> mpi_f08 pass comm%MPI_VAL), with an optional application name and config file.
    integer(c_int) function cairn_init_comm(comm, app_name, config_file) result(rc)
        integer, intent(in) :: comm
        character(len=*), intent(in), optional :: app_name, config_file
        character(kind=c_char, len=:), allocatable, target :: app, cfg
        type(c_ptr) :: papp, pcfg
        papp = c_null_ptr
        pcfg = c_null_ptr
        if (present(app_name)) then
            app = c_string(app_name)
            papp = c_loc(app)
        end if
        if (present(config_file)) then
            cfg = c_string(config_file)
            pcfg = c_loc(cfg)
        end if
        rc = c_init_fcomm(int(comm, c_int), papp, pcfg)
    end function cairn_init_comm

    !> Waits for outstanding work and releases cairn (finalizes MPI if cairn initialised it).
    integer(c_int) function cairn_finalize() result(rc)
        rc = c_finalize()
    end function cairn_finalize

    !> Registers `count` elements of type `t` at `data` (c_loc of a TARGET variable or array)
    !> owned by this rank alone.
    integer(c_int) function cairn_register_buffer(name, data, t, count) result(rc)
        character(len=*), intent(in) :: name
        type(c_ptr), intent(in) :: data
        integer(c_int), intent(in) :: t
        integer(c_size_t), intent(in) :: count
        rc = c_register_buffer(c_string(name), data, t, count)
    end function cairn_register_buffer

    !> Registers this rank's block of a distributed array (1 to 3 dimensions, row-major order:
    !> reverse the dimensions of a Fortran array, see the module header). mem_shape/mem_offset
    !> describe the block inside local memory (e.g. with halo cells); default extent / zeros.
    integer(c_int) function cairn_register_distributed(name, data, t, global_shape, offset, &
            extent, mem_shape, mem_offset) result(rc)
        character(len=*), intent(in) :: name
        type(c_ptr), intent(in) :: data
        integer(c_int), intent(in) :: t
        integer(c_int64_t), intent(in) :: global_shape(:), offset(:), extent(:)
        integer(c_int64_t), intent(in), optional :: mem_shape(:), mem_offset(:)
        integer(c_int64_t), allocatable, target :: g(:), o(:), e(:), ms(:), mo(:)
        type(c_ptr) :: pms, pmo
        integer :: n
        n = size(global_shape)
        if (size(offset) /= n .or. size(extent) /= n) then
            rc = CAIRN_ERR_ARG
            return
        end if
        g = global_shape
        o = offset
        e = extent
        pms = c_null_ptr
        pmo = c_null_ptr
        if (present(mem_shape)) then
            if (size(mem_shape) /= n) then
                rc = CAIRN_ERR_ARG
                return
            end if
            ms = mem_shape
            pms = c_loc(ms)
        end if
        if (present(mem_offset)) then
            if (size(mem_offset) /= n) then
                rc = CAIRN_ERR_ARG
                return
            end if
            mo = mem_offset
            pmo = c_loc(mo)
        end if
        rc = c_register_distributed(c_string(name), data, t, int(n, c_int), c_loc(g), c_loc(o), &
                                    c_loc(e), pms, pmo)
    end function cairn_register_distributed

    !> Loads the newest valid checkpoint (collective); `restored` tells whether one was loaded.
    integer(c_int) function cairn_restore(restored) result(rc)
        logical, intent(out), optional :: restored
        integer(c_int) :: r
        r = 0
        rc = c_restore(r)
        if (present(restored)) restored = r /= 0
    end function cairn_restore

    !> True if a checkpoint was restored in this run.
    logical function cairn_restarted()
        cairn_restarted = c_restarted() /= 0
    end function cairn_restarted

    !> Safe point: the registered buffers fully describe the computation here.
    integer(c_int) function cairn_safe_point() result(rc)
        rc = c_safe_point()
    end function cairn_safe_point

    !> Takes a checkpoint now (collective).
    integer(c_int) function cairn_checkpoint_now() result(rc)
        rc = c_checkpoint_now()
    end function cairn_checkpoint_now

    !> Asks for a checkpoint at the next agreed safe point (any rank).
    integer(c_int) function cairn_request_checkpoint() result(rc)
        rc = c_request_checkpoint()
    end function cairn_request_checkpoint

    !> True once a checkpoint-and-exit request (signal, halt file) was carried out.
    logical function cairn_exit_requested()
        cairn_exit_requested = c_exit_requested() /= 0
    end function cairn_exit_requested

    !> Number of safe points so far (including the restored count after a restart).
    integer(c_int64_t) function cairn_safe_point_index()
        cairn_safe_point_index = c_safe_point_index()
    end function cairn_safe_point_index

    !> Epoch of the newest committed or restored checkpoint (0 if none).
    integer(c_int64_t) function cairn_epoch()
        cairn_epoch = c_epoch()
    end function cairn_epoch

    !> True between cairn_init() and cairn_finalize().
    logical function cairn_initialized()
        cairn_initialized = c_initialized() /= 0
    end function cairn_initialized

    !> Epochs of the committed checkpoints now in the checkpoint directory (the ones retention
    !> keeps), oldest first; a local listing, not collective. `epochs` is (re)allocated to their
    !> number (size 0 if there are none).
    integer(c_int) function cairn_committed_epochs(epochs) result(rc)
        integer(c_int64_t), allocatable, target, intent(out) :: epochs(:)
        integer(c_size_t) :: n, got
        allocate(epochs(0))
        rc = c_committed_epochs(c_null_ptr, 0_c_size_t, n)
        if (rc /= CAIRN_OK .or. n == 0) return
        deallocate(epochs)
        allocate(epochs(n))
        rc = c_committed_epochs(c_loc(epochs), n, got)
        ! The listing may change between the two calls (a commit, retention): keep what fits.
        if (rc == CAIRN_OK .and. got < n) epochs = epochs(1:got)
    end function cairn_committed_epochs

    !> Message of the last error on this thread ("" if none).
    function cairn_last_error() result(msg)
        character(len=:), allocatable :: msg
        msg = f_string(c_last_error())
    end function cairn_last_error

    !> Library version string.
    function cairn_version() result(v)
        character(len=:), allocatable :: v
        v = f_string(c_version())
    end function cairn_version

end module cairn
