//! The two system calls the actuators need that no safe wrapper offers: `sched_getattr` /
//! `sched_setattr` (rustix and nix wrap neither) and `ioprio_get` / `ioprio_set` (likewise).
//!
//! Everything else (setpriority, sched_setaffinity, flock) goes through rustix. This is the
//! only module of the crate that allows `unsafe_code`: each block is one raw `syscall(2)`
//! with plain integer arguments or a pointer to a local `#[repr(C)]` struct.
#![allow(unsafe_code)]

use std::io;

/// `struct sched_attr` as of Linux 3.14 (`SCHED_ATTR_SIZE_VER0`, 48 bytes). The later
/// utilisation-clamp fields are left out on purpose: passing the smaller size tells the kernel
/// not to read or change them.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct SchedAttr {
    pub size: u32,
    pub sched_policy: u32,
    pub sched_flags: u64,
    pub sched_nice: i32,
    pub sched_priority: u32,
    pub sched_runtime: u64,
    pub sched_deadline: u64,
    pub sched_period: u64,
}

const SCHED_ATTR_SIZE_VER0: u32 = 48;
/// `SCHED_FLAG_RESET_ON_FORK`: the only flag kept across a get/set round trip.
pub(crate) const SCHED_FLAG_RESET_ON_FORK: u64 = 0x01;

fn result(ret: libc::c_long) -> io::Result<libc::c_long> {
    if ret < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(ret)
    }
}

/// `sched_getattr(tid, &attr, 48, 0)`: the scheduling attributes of one thread.
pub(crate) fn sched_getattr(tid: i32) -> io::Result<SchedAttr> {
    let mut attr = SchedAttr {
        size: SCHED_ATTR_SIZE_VER0,
        ..SchedAttr::default()
    };
    // SAFETY: `attr` is a live, writable `#[repr(C)]` struct of exactly the size passed
    // (48 bytes, SCHED_ATTR_SIZE_VER0); the kernel writes at most that many bytes into it.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_sched_getattr,
            tid as libc::c_long,
            &mut attr as *mut SchedAttr,
            SCHED_ATTR_SIZE_VER0 as libc::c_long,
            0 as libc::c_long,
        )
    };
    result(ret)?;
    Ok(attr)
}

/// `sched_setattr(tid, &attr, 0)`: sets policy, nice (for SCHED_OTHER/BATCH), real-time
/// priority and flags of one thread at once.
pub(crate) fn sched_setattr(tid: i32, attr: &SchedAttr) -> io::Result<()> {
    let attr = SchedAttr {
        size: SCHED_ATTR_SIZE_VER0,
        ..*attr
    };
    // SAFETY: `attr` is a live `#[repr(C)]` struct whose `size` field (48) matches its layout;
    // the kernel only reads it.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_sched_setattr,
            tid as libc::c_long,
            &attr as *const SchedAttr,
            0 as libc::c_long,
        )
    };
    result(ret).map(|_| ())
}

/// `IOPRIO_WHO_PROCESS`: the `who` argument naming one thread.
const IOPRIO_WHO_PROCESS: libc::c_long = 1;

/// `ioprio_get(IOPRIO_WHO_PROCESS, tid)`: the raw I/O priority (class << 13 | level).
pub(crate) fn ioprio_get(tid: i32) -> io::Result<i32> {
    // SAFETY: integer arguments only; no memory is passed.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_ioprio_get,
            IOPRIO_WHO_PROCESS,
            tid as libc::c_long,
        )
    };
    result(ret).map(|v| v as i32)
}

/// `ioprio_set(IOPRIO_WHO_PROCESS, tid, ioprio)`.
pub(crate) fn ioprio_set(tid: i32, ioprio: i32) -> io::Result<()> {
    // SAFETY: integer arguments only; no memory is passed.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_ioprio_set,
            IOPRIO_WHO_PROCESS,
            tid as libc::c_long,
            ioprio as libc::c_long,
        )
    };
    result(ret).map(|_| ())
}
