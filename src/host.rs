//! `--detect`: facts about this machine — system RAM from the OS, VRAM from the GPU vendor's
//! command-line tool (nvidia-smi or rocm-smi), whichever is present.

use std::process::Command;

use crate::facts::{Device, DeviceKind, Fact, Origin};

/// One GPU as the vendor's tool lists it.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Gpu {
    /// Its number as torch counts it (`cuda:N`), after `CUDA_VISIBLE_DEVICES`.
    pub index: usize,
    pub name: String,
    pub vram_gib: f64,
}

/// What detection found, and what it could not find (said to the user, never silently).
///
/// `vram_gib` and `device` describe the first GPU (what `device: cuda` and `auto` use);
/// [`HostFacts::for_device`] picks the one a config's `device: cuda:N` selects.
#[derive(Clone, Debug, Default)]
pub struct HostFacts {
    pub ram_gib: Option<Fact<f64>>,
    pub vram_gib: Option<Fact<f64>>,
    pub device: Option<Fact<Device>>,
    pub os: Option<Fact<String>>,
    pub gpus: Vec<Gpu>,
    /// The tool that listed the GPUs (`nvidia-smi`, `rocm-smi`).
    pub gpu_tool: String,
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
    let found = nvidia_smi()
        .map(|g| (g, "nvidia-smi"))
        .or_else(|| rocm_smi().map(|g| (g, "rocm-smi")));
    match found {
        Some((listed, tool)) => {
            h.gpu_tool = tool.to_string();
            h.gpus = visible(
                listed,
                std::env::var("CUDA_VISIBLE_DEVICES").ok().as_deref(),
            );
            let names_differ = h.gpus.iter().any(|g| g.name != h.gpus[0].name);
            if names_differ
                && tool == "nvidia-smi"
                && std::env::var("CUDA_DEVICE_ORDER").as_deref() != Ok("PCI_BUS_ID")
            {
                h.notes.push(
                    "nvidia-smi lists GPUs by PCI bus, CUDA numbers them fastest first unless CUDA_DEVICE_ORDER=PCI_BUS_ID; if the numbers differ, pass --vram-gb"
                        .into(),
                );
            }
            let (vram, device) = h.for_device(None);
            h.vram_gib = vram;
            h.device = device;
            if h.gpus.is_empty() {
                h.notes.push(format!(
                    "{tool} lists no GPU that CUDA_VISIBLE_DEVICES leaves visible"
                ));
            }
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

impl HostFacts {
    /// VRAM and device of the GPU a config's `device` setting selects: `cuda:N` the N-th,
    /// `cuda`, `auto` or none the first. With several GPUs the origin says which one was
    /// used and why, and names the others; a `cuda:N` with no such GPU gives no VRAM fact
    /// (a wrong size would be worse than none).
    pub fn for_device(&self, device: Option<&str>) -> (Option<Fact<f64>>, Option<Fact<Device>>) {
        let Some(first) = self.gpus.first() else {
            return (self.vram_gib.clone(), self.device.clone());
        };
        let asked = device
            .map(str::trim)
            .and_then(|d| d.strip_prefix("cuda:"))
            .and_then(|n| n.trim().parse::<usize>().ok());
        let tool = &self.gpu_tool;
        let (gpu, why) = match asked {
            Some(n) => match self.gpus.get(n) {
                Some(g) => (
                    g,
                    format!(
                        "GPU {n} of {}, as `device: cuda:{n}` selects",
                        self.gpus.len()
                    ),
                ),
                None => return (None, None),
            },
            None if self.gpus.len() == 1 => (first, String::new()),
            None => (
                first,
                format!(
                    "GPU 0, the one `device: cuda` and `auto` use; also found: {}",
                    self.gpus[1..]
                        .iter()
                        .map(|g| format!(
                            "GPU {} {} ({:.0} GB, `device: cuda:{}`)",
                            g.index, g.name, g.vram_gib, g.index
                        ))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ),
        };
        let origin = if why.is_empty() {
            Origin::Host(tool.clone())
        } else {
            Origin::Host(format!("{tool}: {why}"))
        };
        (
            Some(Fact::new(gpu.vram_gib, origin.clone())),
            Some(Fact::new(
                Device {
                    kind: DeviceKind::Cuda,
                    name: Some(gpu.name.clone()),
                },
                origin,
            )),
        )
    }
}

/// With several GPUs, the VRAM and device facts of the one this config's `device`
/// selects, where they came from detection (a flag or the linter config still wins).
pub fn choose_gpu(
    facts: &mut crate::facts::Facts,
    host: &HostFacts,
    config: &crate::config::ConfigFile,
) {
    let setting = config.get("device");
    let device = setting.as_ref().and_then(|s| s.value.as_str());
    let (vram, gpu) = host.for_device(device);
    let from_host = |o: &Origin| matches!(o, Origin::Host(_));
    if facts
        .vram_gib
        .as_ref()
        .is_some_and(|f| from_host(&f.origin))
    {
        facts.vram_gib = vram;
    }
    if facts.device.as_ref().is_some_and(|f| from_host(&f.origin)) {
        facts.device = gpu.or(facts.device.take());
    }
}

/// The GPUs torch sees, numbered as it numbers them: `CUDA_VISIBLE_DEVICES` (a list of
/// indices) hides and reorders the tool's list; anything else in it (UUIDs) is left to
/// the tool's order.
fn visible(listed: Vec<(String, f64)>, cuda_visible: Option<&str>) -> Vec<Gpu> {
    let order: Option<Vec<usize>> = cuda_visible
        .map(|v| {
            v.split(',')
                .map(|i| i.trim().parse::<usize>())
                .collect::<Result<_, _>>()
        })
        .and_then(Result::ok);
    let picked: Vec<(String, f64)> = match order {
        Some(order) => order
            .iter()
            .filter_map(|&i| listed.get(i).cloned())
            .collect(),
        None => listed,
    };
    picked
        .into_iter()
        .enumerate()
        .map(|(index, (name, mib))| Gpu {
            index,
            name,
            vram_gib: mib / 1024.0,
        })
        .collect()
}

/// Every GPU from `nvidia-smi --query-gpu=name,memory.total --format=csv,noheader,nounits`.
fn nvidia_smi() -> Option<Vec<(String, f64)>> {
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
    Some(parse_nvidia_smi(&String::from_utf8_lossy(&out.stdout))).filter(|g| !g.is_empty())
}

/// `NVIDIA GeForce RTX 3060, 12288` per line → name and MiB, in the tool's order.
pub fn parse_nvidia_smi(text: &str) -> Vec<(String, f64)> {
    text.lines()
        .filter_map(|line| {
            let (name, mib) = line.rsplit_once(',')?;
            let mib: f64 = mib.trim().parse().ok()?;
            Some((name.trim().to_string(), mib))
        })
        .collect()
}

fn rocm_smi() -> Option<Vec<(String, f64)>> {
    let out = Command::new("rocm-smi")
        .args(["--showmeminfo", "vram", "--showproductname", "--csv"])
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    Some(parse_rocm_smi(&String::from_utf8_lossy(&out.stdout))).filter(|g| !g.is_empty())
}

/// rocm-smi's CSV: a header naming columns, then one row per card. VRAM total is in bytes.
pub fn parse_rocm_smi(text: &str) -> Vec<(String, f64)> {
    let mut lines = text.lines().filter(|l| l.contains(','));
    let Some(header) = lines.next() else {
        return Vec::new();
    };
    let header: Vec<String> = header
        .split(',')
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    let col = |pred: &dyn Fn(&str) -> bool| header.iter().position(|h| pred(h));
    let Some(total) = col(&|h| h.contains("vram total memory")) else {
        return Vec::new();
    };
    let name_col = col(&|h| h.contains("card series") || h.contains("card model"));
    lines
        .filter_map(|line| {
            let row: Vec<&str> = line.split(',').map(str::trim).collect();
            let bytes: f64 = row.get(total)?.parse().ok()?;
            let name = name_col
                .and_then(|i| row.get(i))
                .map_or_else(|| "AMD GPU".to_string(), |s| s.to_string());
            Some((name, bytes / (1u64 << 20) as f64))
        })
        .collect()
}

/// `facts --host`: what `--detect` sees, as text or JSON.
pub fn render(h: &HostFacts, json: bool) -> String {
    if json {
        let fact = |v: Option<serde_json::Value>, o: Option<&Origin>| match (v, o) {
            (Some(v), Some(o)) => serde_json::json!({ "value": v, "source": o.describe() }),
            _ => serde_json::Value::Null,
        };
        let value = serde_json::json!({
            "os": fact(h.os.as_ref().map(|f| f.value.clone().into()), h.os.as_ref().map(|f| &f.origin)),
            "ram_gib": fact(h.ram_gib.as_ref().map(|f| f.value.into()), h.ram_gib.as_ref().map(|f| &f.origin)),
            "vram_gib": fact(h.vram_gib.as_ref().map(|f| f.value.into()), h.vram_gib.as_ref().map(|f| &f.origin)),
            "device": fact(h.device.as_ref().map(|f| f.value.kind.as_str().into()), h.device.as_ref().map(|f| &f.origin)),
            "gpus": h.gpus,
            "gpu_tool": if h.gpus.is_empty() { serde_json::Value::Null } else { h.gpu_tool.clone().into() },
            "notes": h.notes,
        });
        return format!(
            "{}\n",
            serde_json::to_string_pretty(&value).unwrap_or_default()
        );
    }
    let mut out = String::new();
    let mut show = |what: &str, v: Option<String>, o: Option<&Origin>| {
        out.push_str(&match (v, o) {
            (Some(v), Some(o)) => format!("{what:<8} {v}  — {}\n", o.describe()),
            _ => format!("{what:<8} unknown\n"),
        });
    };
    show(
        "os",
        h.os.as_ref().map(|f| f.value.clone()),
        h.os.as_ref().map(|f| &f.origin),
    );
    show(
        "ram",
        h.ram_gib.as_ref().map(|f| format!("{:.2} GiB", f.value)),
        h.ram_gib.as_ref().map(|f| &f.origin),
    );
    show(
        "vram",
        h.vram_gib.as_ref().map(|f| format!("{:.2} GiB", f.value)),
        h.vram_gib.as_ref().map(|f| &f.origin),
    );
    show(
        "device",
        h.device.as_ref().map(|f| {
            let d = &f.value;
            match &d.name {
                Some(n) => format!("{} ({n})", d.kind.as_str()),
                None => d.kind.as_str().to_string(),
            }
        }),
        h.device.as_ref().map(|f| &f.origin),
    );
    if h.gpus.len() > 1 {
        for g in &h.gpus {
            out.push_str(&format!(
                "gpu {:<4} {} ({:.2} GiB)  — `device: cuda:{}`\n",
                g.index, g.name, g.vram_gib, g.index
            ));
        }
    }
    for n in &h.notes {
        out.push_str(&format!("note     {n}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_gpu_nvidia_smi_lists() {
        let t = "NVIDIA GeForce RTX 3060, 12288\nNVIDIA GeForce RTX 4090, 24564\n";
        assert_eq!(
            parse_nvidia_smi(t),
            [
                ("NVIDIA GeForce RTX 3060".to_string(), 12288.0),
                ("NVIDIA GeForce RTX 4090".to_string(), 24564.0)
            ]
        );
        assert_eq!(parse_nvidia_smi("No devices were found\n"), []);
    }

    #[test]
    fn reads_every_card_in_rocm_smi_csv() {
        let t = "device,Card series,VRAM Total Memory (B),VRAM Total Used Memory (B)\ncard0,Radeon RX 7600 XT,17163091968,1048576\ncard1,Radeon RX 7900 XTX,25753026560,0\n";
        let cards = parse_rocm_smi(t);
        assert_eq!(cards.len(), 2);
        assert_eq!(cards[0].0, "Radeon RX 7600 XT");
        assert!((cards[0].1 - 16368.0).abs() < 1.0);
        assert_eq!(cards[1].0, "Radeon RX 7900 XTX");
    }

    #[test]
    fn cuda_visible_devices_renumbers_the_gpus() {
        let listed = vec![("A".to_string(), 6144.0), ("B".to_string(), 24576.0)];
        let gpus = visible(listed.clone(), Some("1"));
        assert_eq!(gpus.len(), 1);
        assert_eq!((gpus[0].index, gpus[0].name.as_str()), (0, "B"));
        assert_eq!(visible(listed.clone(), Some("GPU-uuid")).len(), 2);
        assert_eq!(visible(listed, None)[1].vram_gib, 24.0);
    }

    #[test]
    fn the_config_device_picks_the_gpu() {
        let h = HostFacts {
            gpus: visible(
                vec![("A".to_string(), 6144.0), ("B".to_string(), 24576.0)],
                None,
            ),
            gpu_tool: "nvidia-smi".into(),
            ..Default::default()
        };
        let vram = |d: Option<&str>| h.for_device(d).0.map(|f| f.value);
        assert_eq!(vram(Some("cuda:1")), Some(24.0));
        assert_eq!(vram(Some("cuda")), Some(6.0));
        assert_eq!(vram(None), Some(6.0));
        assert_eq!(vram(Some("cuda:2")), None);
        let first = h.for_device(Some("auto")).0.unwrap();
        assert!(
            first.origin.describe().contains("also found: GPU 1 B"),
            "{}",
            first.origin.describe()
        );
    }
}
