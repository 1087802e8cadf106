//! Facts the log implies but does not state: total VRAM and total system RAM.
//!
//! Units: InvokeAI's "MB" is MiB and its "GB" (settings) is GiB; torch sizes are binary
//! too. All results are GiB.
//!
//! - **VRAM from an OOM message:** torch states the device's total capacity.
//! - **VRAM from the RAM cache line** (CONFIG_FACTS.md §3.2). 5.6.1+: heuristic 2 caps the
//!   cache at 32 GiB without CUDA, else at `max_cache_vram_gb` if set, else at
//!   VRAM − `device_working_mem_gb`. So `[1, 2]` with a size other than 32768.00 MB means
//!   the CUDA cap: VRAM = cache + W, exact when `max_cache_vram_gb` is unset and W has its
//!   default of 3 GiB (the log states neither). 5.6.0 differs: heuristic 2 was a cap at
//!   2 × VRAM (so VRAM = cache / 2) and heuristic 3 a floor at VRAM − W.
//! - **RAM from the RAM cache line:** heuristic 1 is 0.5 × RAM − 2 GiB; when it is the
//!   only one applied, RAM = 2 × (cache + 2 GiB). RAM here is psutil's total, a little under
//!   the nominal size.

use super::{Derived, LogFacts, RamCache, Session};

/// `device_working_mem_gb`'s default (GiB).
const DEFAULT_WORKING_MEM_GIB: f64 = 3.0;
/// Heuristic 2's cap without CUDA (GiB).
const NON_CUDA_CAP_GIB: f64 = 32.0;

/// Fill `vram_total_gib` and `ram_total_gib`.
pub fn derive(facts: &mut LogFacts) {
    facts.vram_total_gib =
        vram_from_oom(facts).or_else(|| facts.sessions.iter().rev().find_map(vram_from_ram_cache));
    facts.ram_total_gib = facts.sessions.iter().rev().find_map(ram_from_ram_cache);
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// The newest OOM message that states a total capacity.
fn vram_from_oom(facts: &LogFacts) -> Option<Derived<f64>> {
    let e = facts.oom.iter().rev().find(|e| e.capacity_gib.is_some())?;
    let cap = e.capacity_gib?;
    Some(Derived {
        value: round2(cap),
        line: e.line,
        text: e.text.clone(),
        derived_from: "oom",
        reasoning: format!(
            "torch's {} out-of-memory message states the GPU's total capacity ({cap} GiB)",
            e.backend
        ),
    })
}

/// `major.minor.patch` of a version string such as `5.6.0rc2` or `6.14.0-rc2`.
fn release(version: &str) -> Option<(u32, u32, u32)> {
    let mut parts = version.split('.').map(|p| {
        let digits: String = p.chars().take_while(char::is_ascii_digit).collect();
        digits.parse::<u32>().ok()
    });
    let major = parts.next()??;
    let minor = parts.next().flatten().unwrap_or(0);
    let patch = parts.next().flatten().unwrap_or(0);
    Some((major, minor, patch))
}

fn is_cpu_or_mps(s: &Session) -> bool {
    s.torch_device.as_ref().is_some_and(|d| {
        let v = d.value.trim().to_ascii_lowercase();
        v == "cpu" || v == "mps"
    })
}

fn vram_from_ram_cache(s: &Session) -> Option<Derived<f64>> {
    let rc = s.ram_cache.as_ref()?;
    let RamCache {
        mb,
        heuristics,
        user_defined,
    } = &rc.value;
    if *user_defined || is_cpu_or_mps(s) {
        return None;
    }
    let cache_gib = mb / 1024.0;
    let version = s.version.as_ref().map(|v| v.value.as_str());
    let v560 = version.and_then(release) == Some((5, 6, 0));
    let (vram, why) = match (v560, heuristics.as_slice()) {
        (false, [1, 2]) => {
            if (cache_gib - NON_CUDA_CAP_GIB).abs() < 0.005 {
                // The 32 GiB non-CUDA cap, not a VRAM-based one.
                return None;
            }
            let assumed = if version.is_none() {
                "; assuming 5.6.1+ rules, as no version line was seen"
            } else {
                ""
            };
            (
                cache_gib + DEFAULT_WORKING_MEM_GIB,
                format!(
                    "RAM cache {mb:.2} MB with heuristics [1, 2] is capped at VRAM − device_working_mem_gb: \
                     {cache_gib:.2} + 3 GiB, assuming device_working_mem_gb: 3 (default) and \
                     max_cache_vram_gb unset{assumed}"
                ),
            )
        }
        (true, [1, 2]) => (
            cache_gib / 2.0,
            format!("5.6.0 caps the RAM cache at 2 × VRAM (heuristic 2): {mb:.2} MB / 2"),
        ),
        (true, [1, 3]) => (
            cache_gib + DEFAULT_WORKING_MEM_GIB,
            format!(
                "5.6.0 raises the RAM cache to VRAM − device_working_mem_gb (heuristic 3): \
                 {cache_gib:.2} + 3 GiB, assuming device_working_mem_gb: 3 (default) and \
                 max_cache_vram_gb unset"
            ),
        ),
        _ => return None,
    };
    Some(Derived {
        value: round2(vram),
        line: rc.line,
        text: rc.text.clone(),
        derived_from: "ram_cache",
        reasoning: why,
    })
}

fn ram_from_ram_cache(s: &Session) -> Option<Derived<f64>> {
    let rc = s.ram_cache.as_ref()?;
    if rc.value.user_defined || rc.value.heuristics.as_slice() != [1] {
        return None;
    }
    let cache_gib = rc.value.mb / 1024.0;
    Some(Derived {
        value: round2(2.0 * (cache_gib + 2.0)),
        line: rc.line,
        text: rc.text.clone(),
        derived_from: "ram_cache",
        reasoning: format!(
            "only heuristic 1 (0.5 × RAM − 2 GiB) set the RAM cache of {:.2} MB: \
             RAM = 2 × ({cache_gib:.2} + 2) GiB",
            rc.value.mb
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::{Located, OomEvent};

    fn located<T>(value: T, line: u64) -> Option<Located<T>> {
        Some(Located {
            value,
            line,
            text: String::new(),
        })
    }

    fn session(version: Option<&str>, device: Option<&str>, mb: f64, h: &[u8]) -> Session {
        Session {
            version: version.and_then(|v| located(v.to_string(), 1)),
            torch_device: device.and_then(|d| located(d.to_string(), 2)),
            ram_cache: located(
                RamCache {
                    mb,
                    heuristics: h.to_vec(),
                    user_defined: false,
                },
                3,
            ),
            ..Session::default()
        }
    }

    fn derive_one(s: Session) -> LogFacts {
        let mut f = LogFacts {
            sessions: vec![s],
            ..LogFacts::default()
        };
        derive(&mut f);
        f
    }

    #[test]
    fn vram_from_capped_cache_5_6_1_plus() {
        // 12 GB card: cap 12 − 3 = 9 GiB.
        let f = derive_one(session(Some("5.9.1"), None, 9216.0, &[1, 2]));
        let v = f.vram_total_gib.unwrap();
        assert_eq!(v.value, 12.0);
        assert_eq!((v.line, v.derived_from), (3, "ram_cache"));
        assert_eq!(f.ram_total_gib, None);
    }

    #[test]
    fn no_vram_from_the_non_cuda_cap_or_cpu() {
        assert_eq!(
            derive_one(session(Some("6.13.8"), None, 32768.0, &[1, 2])).vram_total_gib,
            None
        );
        assert_eq!(
            derive_one(session(Some("6.13.8"), Some("MPS"), 9216.0, &[1, 2])).vram_total_gib,
            None
        );
    }

    #[test]
    fn version_5_6_0_uses_its_own_heuristics() {
        let f = derive_one(session(Some("5.6.0"), None, 24576.0, &[1, 2]));
        assert_eq!(f.vram_total_gib.unwrap().value, 12.0);
        let f = derive_one(session(Some("5.6.0"), None, 9216.0, &[1, 3]));
        assert_eq!(f.vram_total_gib.unwrap().value, 12.0);
        // [1, 3] after 5.6.0 is the 4 GiB floor: nothing about VRAM.
        let f = derive_one(session(Some("5.7.0"), None, 4096.0, &[1, 3]));
        assert_eq!(f.vram_total_gib, None);
    }

    #[test]
    fn ram_from_heuristic_1_alone() {
        // 5.6.0 on a 32 GB machine (psutil total ≈ 31.26 GiB).
        let f = derive_one(session(Some("5.6.0"), None, 13958.38, &[1]));
        let r = f.ram_total_gib.unwrap();
        assert_eq!(r.value, 31.26);
        assert_eq!(f.vram_total_gib, None);
    }

    #[test]
    fn oom_capacity_wins_over_the_cache() {
        let mut f = LogFacts {
            sessions: vec![session(Some("5.9.1"), None, 9216.0, &[1, 2])],
            oom: vec![OomEvent {
                line: 68,
                text: String::new(),
                backend: "HIP".into(),
                tried_gib: Some(4.5),
                capacity_gib: Some(15.98),
                free_gib: Some(1.4),
                max_allowed_gib: None,
                wording: "torch-2.2+",
                session: Some(0),
            }],
            ..LogFacts::default()
        };
        derive(&mut f);
        let v = f.vram_total_gib.unwrap();
        assert_eq!((v.value, v.line, v.derived_from), (15.98, 68, "oom"));
    }

    #[test]
    fn release_numbers() {
        assert_eq!(release("5.6.0rc2"), Some((5, 6, 0)));
        assert_eq!(release("6.14.0-rc2"), Some((6, 14, 0)));
        assert_eq!(release("x"), None);
    }
}
