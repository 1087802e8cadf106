//! Tests of the message grammars: one message per fact, cut and whole.

use super::*;

fn fact_of(m: &str) -> (Fact<'_>, Check) {
    match parse(m.as_bytes()) {
        Some(Parsed::Fact(f, c)) => (f, c),
        other => panic!("{m:?} → {other:?}"),
    }
}

#[test]
fn version_and_root() {
    assert_eq!(
        fact_of("InvokeAI version 6.14.0-rc2"),
        (Fact::Version(b"6.14.0-rc2"), Check::Unsure)
    );
    assert_eq!(
        fact_of("InvokeAI, version 2.3.5.post2").0,
        Fact::V2Version(b"2.3.5.post2")
    );
    assert_eq!(parse(b"InvokeAI version unknown"), None);
    assert_eq!(
        fact_of("Root directory = E:\\Softwares\\InvokeAI\\invokeai  ").0,
        Fact::Root(br"E:\Softwares\InvokeAI\invokeai")
    );
    assert_eq!(
        fact_of("InvokeAI runtime directory is \"J:\\AI\\invokeAI\"").0,
        Fact::V2Root(br"J:\AI\invokeAI")
    );
}

#[test]
fn devices() {
    assert_eq!(
        fact_of("Using torch device: NVIDIA GeForce RTX 3060").0,
        Fact::TorchDevice {
            name: b"NVIDIA GeForce RTX 3060",
            list: None
        }
    );
    let (f, c) = fact_of(
        "Using torch device: [NVIDIA GeForce RTX 4090 #1 (cuda:0), NVIDIA GeForce RTX 4090 #2 (cuda:1)]",
    );
    assert_eq!(c, Check::Done);
    assert_eq!(
        f,
        Fact::TorchDevice {
            name: b"NVIDIA GeForce RTX 4090",
            list: Some(vec![
                &b"NVIDIA GeForce RTX 4090 #1 (cuda:0)"[..],
                b"NVIDIA GeForce RTX 4090 #2 (cuda:1)"
            ])
        }
    );
    let (_, c) = fact_of("Using torch device: [NVIDIA GeForce RTX 4090 #1 (cuda:0), NVIDIA GeF");
    assert_eq!(c, Check::Cut);
    assert_eq!(
        fact_of("GPU device = cuda AMD Radeon RX 6800 XT").0,
        Fact::LegacyDevice(b"AMD Radeon RX 6800 XT")
    );
    assert_eq!(fact_of("GPU device = cpu ").0, Fact::LegacyDevice(b"CPU"));
    assert_eq!(
        fact_of("Using device_type CPU     <-----------------------------").0,
        Fact::V2Device(b"CPU")
    );
}

#[test]
fn cudnn_and_allocator() {
    assert_eq!(fact_of("cuDNN version: 90100").0, Fact::Cudnn(b"90100"));
    assert_eq!(
        fact_of("PyTorch CUDA memory allocator: cudaMallocAsync").0,
        Fact::Allocator(b"cudaMallocAsync")
    );
}

#[test]
fn ram_cache_lines() {
    let (f, c) = fact_of(
        "[MODEL CACHE] Calculated model RAM cache size: 7163.50 MB. Heuristics applied: [1, 2].",
    );
    assert_eq!(c, Check::Done);
    assert_eq!(
        f,
        Fact::RamCache(RamCache {
            mb: 7163.5,
            heuristics: vec![1, 2],
            user_defined: false
        })
    );
    let (f, c) = fact_of("[MODEL CACHE] Using user-defined RAM cache size: 28.0 GB.");
    assert_eq!(c, Check::Done);
    assert_eq!(
        f,
        Fact::RamCache(RamCache {
            mb: 28672.0,
            heuristics: vec![],
            user_defined: true
        })
    );
    // Cut by a wrapping console.
    assert_eq!(
        parse(b"[MODEL CACHE] Calculated model RAM cache siz"),
        Some(Parsed::Cut)
    );
    let (_, c) = fact_of("[MODEL CACHE] Calculated model RAM cache size: 21390.56 MB. Heuri");
    assert_eq!(c, Check::Cut);
}

#[test]
fn urls() {
    assert_eq!(
        fact_of("Invoke running on http://127.0.0.1:9090 (Press CTRL+C to quit)"),
        (Fact::Url(b"http://127.0.0.1:9090"), Check::Done)
    );
    assert_eq!(
        fact_of("Uvicorn running on https://0.0.0.0:9091 (Press CTRL+C to quit)").0,
        Fact::Url(b"https://0.0.0.0:9091")
    );
    assert_eq!(
        fact_of("Invoke running on http://127.0.0.1:90").1,
        Check::Cut
    );
}

#[test]
fn databases() {
    assert_eq!(
        fact_of("Initializing database at /home/a/invokeai/databases/invokeai.db"),
        (
            Fact::Database(b"/home/a/invokeai/databases/invokeai.db"),
            Check::Done
        )
    );
    assert_eq!(
        fact_of("Initializing database at C:\\Users\\v\\Invoke\\database").1,
        Check::Cut
    );
    assert_eq!(
        fact_of("Using database at D:\\AI\\InvokeAI\\databases\\invokeai.db").0,
        Fact::Database(br"D:\AI\InvokeAI\databases\invokeai.db")
    );
    assert_eq!(
        fact_of("Initializing in-memory database").0,
        Fact::Database(b"in-memory")
    );
    assert_eq!(
        fact_of("Using in-memory database, no backup needed").0,
        Fact::Database(b"in-memory")
    );
}

#[test]
fn node_packs() {
    assert_eq!(
        fact_of(
            "Loaded 3 node packs from E:\\x\\nodes: invoke_tipo, invoke_wd14_tagger, XYGrid_nodes"
        ),
        (
            Fact::NodePacksLoaded {
                count: 3,
                dir: br"E:\x\nodes",
                names: Some(vec![
                    &b"invoke_tipo"[..],
                    b"invoke_wd14_tagger",
                    b"XYGrid_nodes"
                ])
            },
            Check::Done
        )
    );
    assert_eq!(
        fact_of("Loaded 1 node pack from /n: invoke_tipo").0,
        Fact::NodePacksLoaded {
            count: 1,
            dir: b"/n",
            names: Some(vec![&b"invoke_tipo"[..]])
        }
    );
    assert_eq!(
        fact_of("Loaded 1 node packs from /home/mcon/invokeai/nodes"),
        (
            Fact::NodePacksLoaded {
                count: 1,
                dir: b"/home/mcon/invokeai/nodes",
                names: None
            },
            Check::Unsure
        )
    );
    assert_eq!(
        fact_of("Loaded 0 modules from /home/bob/invokeai/nodes").0,
        Fact::NodePacksLoaded {
            count: 0,
            dir: b"/home/bob/invokeai/nodes",
            names: None
        }
    );
    assert_eq!(
        fact_of("Loading node pack invoke_tipo").0,
        Fact::NodePackLoading(b"invoke_tipo")
    );
}

#[test]
fn ports_and_patchmatch() {
    assert_eq!(
        fact_of("Port 9090 in use, using port 9091").0,
        Fact::PortMoved(9090, 9091)
    );
    assert_eq!(
        fact_of("Port 9090 is already in use. Using port 9091.").0,
        Fact::PortMoved(9090, 9091)
    );
    assert_eq!(parse(b"Port 99999 in use, using port 9091"), None);
    assert_eq!(
        fact_of("Patchmatch not loaded (nonfatal)").0,
        Fact::Patchmatch("not loaded")
    );
    assert_eq!(
        fact_of("Patchmatch loading disabled").0,
        Fact::Patchmatch("disabled")
    );
    assert_eq!(
        fact_of("Patchmatch initialized").0,
        Fact::Patchmatch("initialized")
    );
}

#[test]
fn model_loads_and_vram_warnings() {
    assert_eq!(
        fact_of("[MODEL CACHE] Loaded model 'ed33:transformer' (Flux) onto cuda device in 6.92s. Total model size: 22700.13MB, VRAM: 8164.06MB (36.0%)").0,
        Fact::LoadedModel {
            key: b"ed33:transformer",
            class: b"Flux",
            total_mb: 22700.13,
            vram_mb: 8164.06,
            percent: 36.0
        }
    );
    // 6.14 names the device index.
    assert!(matches!(
        fact_of("[MODEL CACHE] Loaded model 'k' (AutoEncoder) onto cuda device #0 in 1.94s. Total model size: 159.87MB, VRAM: 159.87MB (100.0%)").0,
        Fact::LoadedModel { .. }
    ));
    assert_eq!(
        fact_of("Loading 0.146484375 MB into VRAM, but only -4991.0 MB were requested. This is the minimum set of weights in VRAM required to run the model.").0,
        Fact::NegativeVram { loading_mb: 0.146484375, requested_mb: -4991.0 }
    );
    assert_eq!(
        fact_of("[MODEL CACHE] Insufficient GPU memory to load model. Aborting").0,
        Fact::InsufficientMemory
    );
}

#[test]
fn markers() {
    assert_eq!(
        fact_of("Started server process [12148]").0,
        Fact::StartMarker { server: true }
    );
    assert_eq!(
        fact_of("patchmatch.patch_match: INFO - Compiling").0,
        Fact::StartMarker { server: false }
    );
    assert_eq!(fact_of("InvokeAI shutting down...").0, Fact::Shutdown);
    assert_eq!(fact_of("Finished server process [1]").0, Fact::Shutdown);
}

#[test]
fn noise_is_not_a_fact() {
    for m in [
        "",
        "Loading model /x, type sdxl:main:unet",
        "Loaded",
        "Using torch device: ",
        "Graph stats: 1",
        "Patchmatch",
        "[MODEL CACHE] ",
        "\u{0}\u{1}\u{2}",
    ] {
        assert!(
            !matches!(parse(m.as_bytes()), Some(Parsed::Fact(..))),
            "{m:?}"
        );
    }
}
