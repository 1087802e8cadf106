//! What a GPU's marketing name tells about it (from the log's torch device line or nvidia-smi).

/// Whether the GPU is Ampere (compute capability 8) or newer — where InvokeAI 5.2.0+ does not
/// use xformers. AMD GPUs report capabilities above 7 under ROCm too. None when the name
/// does not say.
pub fn ampere_or_newer(name: &str) -> Option<bool> {
    let n = name.to_ascii_uppercase();
    let has = |s: &str| n.contains(s);
    if has("RADEON") || has("AMD") || has("INSTINCT") {
        return Some(true);
    }
    let newer = [
        "RTX 30", "RTX 40", "RTX 50", "RTX A", "RTX PRO", " ADA", "A100", "A800", "H100", "H200",
        "H800", "B200", "L40", " L4", "A10", "A30", "A40", "A16", "A2 ", "GB10", "THOR", "ORIN",
    ];
    if newer.iter().any(|p| has(p)) {
        return Some(true);
    }
    let older = [
        "GTX", "RTX 20", "TITAN", "TESLA", "QUADRO", "V100", "P100", "P40", "P4 ", "T4", "K80",
        "M40", "MX",
    ];
    if older.iter().any(|p| has(p)) {
        return Some(false);
    }
    None
}

/// GeForce GTX 1650 and 1660 (any variant): InvokeAI 4.1.0+ always runs them in float32.
pub fn forced_float32(name: &str) -> bool {
    let n = name.to_ascii_uppercase();
    n.contains("GTX 1650") || n.contains("GTX 1660")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_common_cards() {
        assert_eq!(ampere_or_newer("NVIDIA GeForce RTX 3060"), Some(true));
        assert_eq!(
            ampere_or_newer("NVIDIA GeForce RTX 4060 Laptop GPU"),
            Some(true)
        );
        assert_eq!(ampere_or_newer("NVIDIA GeForce RTX 2060"), Some(false));
        assert_eq!(
            ampere_or_newer("NVIDIA GeForce GTX 1660 SUPER"),
            Some(false)
        );
        assert_eq!(ampere_or_newer("Tesla T4"), Some(false));
        assert_eq!(ampere_or_newer("AMD Radeon RX 7600 XT"), Some(true));
        assert_eq!(ampere_or_newer("NVIDIA RTX A4000"), Some(true));
        assert_eq!(ampere_or_newer("Some GPU"), None);
        assert!(forced_float32("NVIDIA GeForce GTX 1660 Ti"));
        assert!(!forced_float32("NVIDIA GeForce RTX 3060"));
    }
}
