//! `--detect`: facts about this machine — system RAM from the OS, VRAM from the GPU vendor's
//! command-line tool (nvidia-smi or rocm-smi), whichever is present.

use std::process::Command;

use crate::facts::{Device, DeviceKind, Fact, Origin};

/// What detection found, and what it could not find (said to the user, never silently).
#[derive(Clone, Debug, Default)]
pub struct HostFacts {
    pub ram_gib: Option<Fact<f64>>,
    pub vram_gib: Option<Fact<f64>>,
    pub device: Option<Fact<Device>>,
    pub os: Option<Fact<String>>,
    pub notes: Vec<String>,
}

pub fn detect() -> HostFacts {
    let mut h = HostFacts {
        os: Some(Fact::new(
            match std::env::consts::OS {
                "macos" => "macos".to_string(),
                other => other.to_string(),
            },
            Origin::Host("the OS".into()),
        )),
        ..Default::default()
    };
    let mut sys = sysinfo::System::new();
    sys.refresh_memory();
    let total = sys.total_memory();
    if total > 0 {
        h.ram_gib = Some(Fact::new(
            total as f64 / (1u64 << 30) as f64,
            Origin::Host("sysinfo: total memory".into()),
        ));
    } else {
        h.notes.push("could not read the system RAM size".into());
    }
    match nvidia_smi().or_else(rocm_smi) {
        Some((name, mib, tool)) => {
            h.vram_gib = Some(Fact::new(mib / 1024.0, Origin::Host(tool.clone())));
            h.device = Some(Fact::new(
                Device {
                    kind: DeviceKind::Cuda,
                    name: Some(name),
                },
                Origin::Host(tool),
            ));
        }
        None => {
            if std::env::consts::OS == "macos" {
                h.device = Some(Fact::new(
                    Device {
                        kind: DeviceKind::Mps,
                        name: None,
                    },
                    Origin::Host("macOS (Apple GPU)".into()),
                ));
                h.notes
                    .push("macOS: the GPU shares system RAM; no separate VRAM size".into());
            } else {
                h.notes.push(
                    "no GPU found: neither nvidia-smi nor rocm-smi is on PATH or answered; pass --vram-gb to check VRAM settings"
                        .into(),
                );
            }
        }
    }
    h
}

/// First GPU from `nvidia-smi --query-gpu=name,memory.total --format=csv,noheader,nounits`.
fn nvidia_smi() -> Option<(String, f64, String)> {
    let out = Command::new("nvidia-smi")
        .args([
            "--query-gpu=name,memory.total",
            "--format=csv,noheader,nounits",
        ])
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    parse_nvidia_smi(&String::from_utf8_lossy(&out.stdout))
        .map(|(n, m)| (n, m, "nvidia-smi".to_string()))
}

/// `NVIDIA GeForce RTX 3060, 12288` → name and MiB (first line: GPU 0, which `cuda` means).
pub fn parse_nvidia_smi(text: &str) -> Option<(String, f64)> {
    let line = text.lines().find(|l| !l.trim().is_empty())?;
    let (name, mib) = line.rsplit_once(',')?;
    let mib: f64 = mib.trim().parse().ok()?;
    Some((name.trim().to_string(), mib))
}

fn rocm_smi() -> Option<(String, f64, String)> {
    let out = Command::new("rocm-smi")
        .args(["--showmeminfo", "vram", "--showproductname", "--csv"])
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    parse_rocm_smi(&String::from_utf8_lossy(&out.stdout)).map(|(n, m)| (n, m, "rocm-smi".into()))
}

/// rocm-smi's CSV: a header naming columns, then one row per card. VRAM total is in bytes.
pub fn parse_rocm_smi(text: &str) -> Option<(String, f64)> {
    let mut lines = text.lines().filter(|l| l.contains(','));
    let header: Vec<&str> = lines.next()?.split(',').map(str::trim).collect();
    let row: Vec<&str> = lines.next()?.split(',').map(str::trim).collect();
    let col =
        |pred: &dyn Fn(&str) -> bool| header.iter().position(|h| pred(&h.to_ascii_lowercase()));
    let total = col(&|h| h.contains("vram total memory"))?;
    let bytes: f64 = row.get(total)?.parse().ok()?;
    let name = col(&|h| h.contains("card series") || h.contains("card model"))
        .and_then(|i| row.get(i))
        .map(|s| s.to_string())
        .unwrap_or_else(|| "AMD GPU".into());
    Some((name, bytes / (1u64 << 20) as f64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_nvidia_smi_first_gpu() {
        let t = "NVIDIA GeForce RTX 3060, 12288\nNVIDIA GeForce RTX 4090, 24564\n";
        assert_eq!(
            parse_nvidia_smi(t),
            Some(("NVIDIA GeForce RTX 3060".into(), 12288.0))
        );
        assert_eq!(parse_nvidia_smi("No devices were found\n"), None);
    }

    #[test]
    fn reads_rocm_smi_csv() {
        let t = "device,Card series,VRAM Total Memory (B),VRAM Total Used Memory (B)\ncard0,Radeon RX 7600 XT,17163091968,1048576\n";
        let (name, mib) = parse_rocm_smi(t).unwrap();
        assert_eq!(name, "Radeon RX 7600 XT");
        assert!((mib - 16368.0).abs() < 1.0);
    }
}
