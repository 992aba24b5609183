//! NVIDIA GPU knobs behind a trait, so the actuators and restore are tested with a recording
//! fake ([`FakeGpu`]) and never touch a real GPU in a test. [`NvmlGpu`] is the real one
//! (nvml-wrapper; `libnvidia-ml.so` is loaded at run time).

use super::types::ClockRange;
use std::collections::BTreeMap;

/// Why a GPU call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GpuError {
    /// No driver, no such GPU, or the call is not supported by it.
    Unsupported(String),
    /// The driver refused (no permission, value out of range).
    Refused(String),
    /// The GPU is gone (fallen off the bus, index no longer valid).
    Gone(String),
}

/// The GPU knobs the actuators write.
pub trait GpuControl {
    /// The power management limit of GPU `index`, mW (`nvmlDeviceGetPowerManagementLimit`).
    fn power_limit_mw(&mut self, index: u32) -> Result<u32, GpuError>;
    /// Sets the power management limit, mW (`nvmlDeviceSetPowerManagementLimit`; root).
    fn set_power_limit_mw(&mut self, index: u32, milliwatts: u32) -> Result<(), GpuError>;
    /// The locked clocks, where the driver can tell. NVML cannot read them back, so
    /// [`NvmlGpu`] answers `None` (not locked): a restore then unlocks rather than returning to
    /// clocks someone else had locked before the governor started (see docs/actuation.md).
    fn locked_clocks(&mut self, index: u32) -> Result<Option<ClockRange>, GpuError>;
    /// Locks the GPU clocks to a range, MHz, or unlocks them with `None`
    /// (`nvmlDeviceSetGpuLockedClocks` / `nvmlDeviceResetGpuLockedClocks`; root).
    fn set_locked_clocks(&mut self, index: u32, clocks: Option<ClockRange>)
    -> Result<(), GpuError>;
}

/// The real GPUs, through NVML.
pub struct NvmlGpu {
    nvml: nvml_wrapper::Nvml,
}

impl NvmlGpu {
    /// Loads NVML. `Unsupported` without the NVIDIA driver.
    pub fn init() -> Result<NvmlGpu, GpuError> {
        nvml_wrapper::Nvml::init()
            .map(|nvml| NvmlGpu { nvml })
            .map_err(|e| GpuError::Unsupported(format!("NVML: {e}")))
    }

    fn device(&self, index: u32) -> Result<nvml_wrapper::Device<'_>, GpuError> {
        self.nvml.device_by_index(index).map_err(nvml_error)
    }
}

fn nvml_error(e: nvml_wrapper::error::NvmlError) -> GpuError {
    use nvml_wrapper::error::NvmlError as E;
    match e {
        E::NoPermission | E::InvalidArg => GpuError::Refused(e.to_string()),
        E::GpuLost | E::NotFound => GpuError::Gone(e.to_string()),
        other => GpuError::Unsupported(other.to_string()),
    }
}

impl GpuControl for NvmlGpu {
    fn power_limit_mw(&mut self, index: u32) -> Result<u32, GpuError> {
        self.device(index)?
            .power_management_limit()
            .map_err(nvml_error)
    }

    fn set_power_limit_mw(&mut self, index: u32, milliwatts: u32) -> Result<(), GpuError> {
        self.device(index)?
            .set_power_management_limit(milliwatts)
            .map_err(nvml_error)
    }

    fn locked_clocks(&mut self, index: u32) -> Result<Option<ClockRange>, GpuError> {
        self.device(index)?;
        Ok(None)
    }

    fn set_locked_clocks(
        &mut self,
        index: u32,
        clocks: Option<ClockRange>,
    ) -> Result<(), GpuError> {
        let mut device = self.device(index)?;
        match clocks {
            Some(c) => device.set_gpu_locked_clocks(
                nvml_wrapper::enums::device::GpuLockedClocksSetting::Numeric {
                    min_clock_mhz: c.min_mhz,
                    max_clock_mhz: c.max_mhz,
                },
            ),
            None => device.reset_gpu_locked_clocks(),
        }
        .map_err(nvml_error)
    }
}

/// A recording fake: GPUs `0..count` with the given state; every call is recorded in
/// `calls`. For tests.
#[derive(Debug, Clone, Default)]
pub struct FakeGpu {
    pub power_limit_mw: BTreeMap<u32, u32>,
    pub locked_clocks: BTreeMap<u32, Option<ClockRange>>,
    /// Calls in order, e.g. `set_power_limit_mw(0, 200000)`.
    pub calls: Vec<String>,
    /// Makes every setter fail with `Refused`.
    pub refuse_writes: bool,
}

impl FakeGpu {
    /// `count` GPUs with power limit `milliwatts` and unlocked clocks.
    pub fn new(count: u32, milliwatts: u32) -> FakeGpu {
        FakeGpu {
            power_limit_mw: (0..count).map(|i| (i, milliwatts)).collect(),
            locked_clocks: (0..count).map(|i| (i, None)).collect(),
            ..FakeGpu::default()
        }
    }

    fn check(&self, index: u32) -> Result<(), GpuError> {
        if self.power_limit_mw.contains_key(&index) {
            Ok(())
        } else {
            Err(GpuError::Unsupported(format!("no GPU {index}")))
        }
    }
}

impl GpuControl for FakeGpu {
    fn power_limit_mw(&mut self, index: u32) -> Result<u32, GpuError> {
        self.check(index)?;
        self.calls.push(format!("power_limit_mw({index})"));
        Ok(self.power_limit_mw[&index])
    }

    fn set_power_limit_mw(&mut self, index: u32, milliwatts: u32) -> Result<(), GpuError> {
        self.check(index)?;
        self.calls
            .push(format!("set_power_limit_mw({index}, {milliwatts})"));
        if self.refuse_writes {
            return Err(GpuError::Refused("refused by the fake".into()));
        }
        self.power_limit_mw.insert(index, milliwatts);
        Ok(())
    }

    fn locked_clocks(&mut self, index: u32) -> Result<Option<ClockRange>, GpuError> {
        self.check(index)?;
        self.calls.push(format!("locked_clocks({index})"));
        Ok(self.locked_clocks[&index])
    }

    fn set_locked_clocks(
        &mut self,
        index: u32,
        clocks: Option<ClockRange>,
    ) -> Result<(), GpuError> {
        self.check(index)?;
        self.calls
            .push(format!("set_locked_clocks({index}, {clocks:?})"));
        if self.refuse_writes {
            return Err(GpuError::Refused("refused by the fake".into()));
        }
        self.locked_clocks.insert(index, clocks);
        Ok(())
    }
}

/// A shared GPU control (e.g. a [`FakeGpu`] a test keeps a handle to while an actuator or a
/// restore uses it).
impl<G: GpuControl> GpuControl for std::rc::Rc<std::cell::RefCell<G>> {
    fn power_limit_mw(&mut self, index: u32) -> Result<u32, GpuError> {
        self.borrow_mut().power_limit_mw(index)
    }
    fn set_power_limit_mw(&mut self, index: u32, milliwatts: u32) -> Result<(), GpuError> {
        self.borrow_mut().set_power_limit_mw(index, milliwatts)
    }
    fn locked_clocks(&mut self, index: u32) -> Result<Option<ClockRange>, GpuError> {
        self.borrow_mut().locked_clocks(index)
    }
    fn set_locked_clocks(
        &mut self,
        index: u32,
        clocks: Option<ClockRange>,
    ) -> Result<(), GpuError> {
        self.borrow_mut().set_locked_clocks(index, clocks)
    }
}
