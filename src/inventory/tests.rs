//! The import against real responses: Azure CLI test recordings (service responses, 2019 and
//! 2026) and the REST API's own examples (Azure/azure-rest-api-specs, 2024-03-03); see
//! `tests/fixtures/azure/README.md` for each file's source and commit. Variations of them
//! (flattened as the CLI prints, wrapped in an array, a field removed) are made here from the
//! recorded text, never written from the documentation.

use serde_json::Value;

use super::*;
use crate::catalog::Regions;

const CLI_GALLERY: &str =
    include_str!("../../tests/fixtures/azure/azure-cli/gallery_specialized.gallery.json");
const CLI_IMAGE: &str =
    include_str!("../../tests/fixtures/azure/azure-cli/gallery_specialized.image.json");
const CLI_VERSION: &str =
    include_str!("../../tests/fixtures/azure/azure-cli/gallery_specialized.version.json");
const CLI_EOL_VERSION: &str = include_str!(
    "../../tests/fixtures/azure/azure-cli/image_version_end_of_life_date.version.json"
);
const CLI_TL_GALLERY: &str = include_str!(
    "../../tests/fixtures/azure/azure-cli/image_definition_update_features.gallery.json"
);
const CLI_TL_IMAGE: &str = include_str!(
    "../../tests/fixtures/azure/azure-cli/image_definition_update_features.image.json"
);
const SPEC_GALLERIES: &str =
    include_str!("../../tests/fixtures/azure/rest-api-specs/Gallery_ListByResourceGroup.json");
const SPEC_IMAGES: &str =
    include_str!("../../tests/fixtures/azure/rest-api-specs/GalleryImage_ListByGallery.json");
const SPEC_VERSIONS: &str = include_str!(
    "../../tests/fixtures/azure/rest-api-specs/GalleryImageVersion_ListByGalleryImage.json"
);
const SPEC_VERSION_STATUS: &str = include_str!(
    "../../tests/fixtures/azure/rest-api-specs/GalleryImageVersion_Get_WithReplicationStatus.json"
);

fn regions() -> &'static Regions {
    Regions::bundled()
}

fn files(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(l, t)| (l.to_string(), t.to_string()))
        .collect()
}

fn region(name: &str) -> RegionId {
    regions().find(name).unwrap()
}

fn read_ok(list: &[(&str, &str)]) -> Inventory {
    read(&files(list), regions()).unwrap_or_else(|e| panic!("{e}"))
}

fn scenario(inventory: &Inventory, options: &ImportOptions) -> (ScenarioText, toml::Table) {
    let text = inventory
        .to_scenario_toml(regions(), options)
        .unwrap_or_else(|e| panic!("{e}"));
    let table: toml::Table = text
        .text
        .parse()
        .unwrap_or_else(|e| panic!("{e}\n{}", text.text));
    (text, table)
}

fn array<'t>(table: &'t toml::Table, key: &str) -> &'t Vec<toml::Value> {
    table[key].as_array().unwrap()
}

fn cli_specialized() -> Inventory {
    read_ok(&[
        ("sig-list.json", CLI_GALLERY),
        ("definition.json", CLI_IMAGE),
        ("version.json", CLI_VERSION),
    ])
}

#[test]
fn recorded_specialized_gallery_with_data_disks() {
    let inv = cli_specialized();
    assert!(inv.warnings.is_empty(), "{:?}", inv.warnings);
    assert_eq!(inv.galleries.len(), 1);
    let g = &inv.galleries[0];
    assert_eq!(
        (g.name.as_str(), g.region, g.inferred),
        ("gallery1", region("eastus2"), false)
    );
    assert_eq!(g.resource_group, "cli_test_gallery_specialized_000001");
    let image = &inv.images[0];
    assert_eq!(image.os_state, Some(OsState::Specialized));
    assert_eq!(image.generation, Some(2));
    assert_eq!(image.os_type.as_deref(), Some("Linux"));
    assert_eq!(image.key.gallery, g.key);
    let v = &inv.versions[0];
    assert_eq!(v.name, "1.0.0");
    // 7 fractional digits and an offset.
    assert_eq!(
        v.published.unwrap().to_string(),
        "2019-11-21T05:44:52.3781977Z"
    );
    assert_eq!(v.location, Some(region("eastus2")));
    // "East US 2" is a display name.
    assert_eq!(
        v.targets,
        vec![Target {
            region: region("eastus2"),
            replicas: 1,
            storage: StorageType::StandardLrs
        }]
    );
    assert_eq!(
        (v.os_disk_gb, v.data_disks_gb.clone()),
        (Some(10.0), vec![10.0, 10.0])
    );
    assert_eq!(v.provisioned_gb(), Some(30.0));
    assert!(
        v.replication.is_empty(),
        "no replicationStatus without $expand"
    );

    let (text, t) = scenario(&inv, &ImportOptions::default());
    assert_eq!(text.start.to_string(), "2019-12-01");
    assert_eq!(t["scenario"]["start"].as_str(), Some("2019-12-01"));
    assert_eq!(t["scenario"]["months"].as_integer(), Some(12));
    let gallery = &array(&t, "gallery")[0];
    assert_eq!(gallery["name"].as_str(), Some("gallery1"));
    assert_eq!(gallery["region"].as_str(), Some("eastus2"));
    let image = &array(&t, "image")[0];
    assert_eq!(image["gallery"].as_str(), Some("gallery1"));
    assert!(image.get("account").is_none(), "an orphan: no consumer");
    assert_eq!(image["exports"].as_array().map(Vec::len), Some(0));
    assert_eq!(image["os_disk_gb"].as_integer(), Some(10));
    assert_eq!(image["used_gb"].as_integer(), Some(30));
    assert_eq!(image["data_disks"].as_integer(), Some(2));
    assert_eq!(image["os_state"].as_str(), Some("specialized"));
    assert_eq!(image["generation"].as_integer(), Some(2));
    let version = &array(&t, "version")[0];
    assert_eq!(version["image"].as_str(), Some("image1"));
    assert_eq!(version["name"].as_str(), Some("1.0.0"));
    assert_eq!(version["published"].as_str(), Some("2019-11-21T05:44:52Z"));
    assert_eq!(version["used_gb"].as_integer(), Some(30));
    assert_eq!(version["targets"]["eastus2"].as_integer(), Some(1));
    assert_eq!(version["storage"].as_str(), Some("standard_lrs"));
    assert_eq!(version["exclude_from_latest"].as_bool(), Some(false));
    assert!(version.get("end_of_life").is_none());
    // The provisioned size is said in a comment and a warning.
    assert!(
        text.text
            .contains("used_gb = 30 # provisioned GB (OS 10 + data 20), not the occupied size billed: set --used-gb image1=GB"),
        "{}",
        text.text
    );
    assert_eq!(text.warnings.len(), 1);
    assert!(text.warnings[0].message.contains("--used-gb image1=GB"));
}

#[test]
fn recorded_version_alone_infers_its_definition_and_gallery() {
    let inv = read_ok(&[("eol.json", CLI_EOL_VERSION)]);
    let v = &inv.versions[0];
    assert_eq!(
        v.published.unwrap().to_string(),
        "2026-04-23T03:08:11.5559031Z"
    );
    assert_eq!(v.end_of_life.unwrap().to_string(), "2026-12-31T12:59:59Z");
    assert_eq!(v.targets[0].region, region("eastus"), "\"East US\"");
    assert_eq!(v.provisioned_gb(), Some(30.0));
    assert_eq!(inv.galleries.len(), 1);
    assert!(inv.galleries[0].inferred && inv.images[0].inferred);
    assert_eq!(inv.galleries[0].name, "gallery_000003");
    assert_eq!(inv.galleries[0].region, region("eastus"));
    assert_eq!(inv.images[0].name, "image000004");
    assert_eq!(inv.images[0].os_state, None);
    let messages: Vec<String> = inv.warnings.iter().map(|w| w.to_string()).collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(
        messages[0].starts_with("eol.json: $: image definition `image000004` is not in the input")
    );
    assert!(messages[1].starts_with("eol.json: $.location: gallery `gallery_000003`"));

    let (text, t) = scenario(&inv, &ImportOptions::default());
    assert_eq!(text.start.to_string(), "2026-05-01");
    let image = &array(&t, "image")[0];
    assert!(image.get("os_state").is_none() && image.get("generation").is_none());
    let version = &array(&t, "version")[0];
    assert_eq!(version["end_of_life"].as_str(), Some("2026-12-31"));
    assert_eq!(version["published"].as_str(), Some("2026-04-23T03:08:11Z"));
    assert!(text.text.contains("definition not in the input"));
}

#[test]
fn recorded_trusted_launch_definition_in_a_canary_region() {
    // eastus2euap is a canary region, not in the public catalog: refused, with its path.
    let err = read(
        &files(&[("tl.json", CLI_TL_GALLERY), ("tl-image.json", CLI_TL_IMAGE)]),
        regions(),
    )
    .unwrap_err();
    assert!(
        matches!(&err, InventoryError::UnknownRegion { file, path, name, .. }
            if file == "tl.json" && path == "$.location" && name == "eastus2euap"),
        "{err}"
    );
    assert!(err
        .to_string()
        .starts_with("tl.json: $.location: unknown Azure region `eastus2euap`"));
    // The same definition in a public region.
    let gallery = CLI_TL_GALLERY.replace("eastus2euap", "eastus2");
    let image = CLI_TL_IMAGE.replace("eastus2euap", "eastus2");
    let inv = read_ok(&[("tl.json", &gallery), ("tl-image.json", &image)]);
    let def = &inv.images[0];
    assert_eq!(def.os_state, Some(OsState::Generalized));
    assert_eq!(def.generation, Some(2));
    assert_eq!(def.security_type.as_deref(), Some("TrustedLaunchSupported"));
    assert_eq!(def.architecture.as_deref(), Some("x64"));
    assert!(inv.versions.is_empty());
    // No version: no date to start after.
    let err = inv
        .to_scenario_toml(regions(), &ImportOptions::default())
        .unwrap_err();
    assert!(err.to_string().contains("give a start date"), "{err}");
    let options = ImportOptions {
        start: Some(jiff::civil::date(2026, 9, 1)),
        ..Default::default()
    };
    let (text, t) = scenario(&inv, &options);
    let image = &array(&t, "image")[0];
    assert_eq!(image["os_state"].as_str(), Some("generalized"));
    assert_eq!(image["os_disk_gb"].as_integer(), Some(0));
    assert!(t.get("version").is_none());
    assert!(text.text.contains("security type TrustedLaunchSupported"));
    assert!(text
        .warnings
        .iter()
        .any(|w| w.message.contains("has no version")));
}

#[test]
fn rest_pages_with_next_links_and_replication_status() {
    let inv = read_ok(&[
        ("galleries.json", SPEC_GALLERIES),
        ("images.json", SPEC_IMAGES),
        ("versions.json", SPEC_VERSIONS),
        ("version-expand.json", SPEC_VERSION_STATUS),
    ]);
    // Ids in two forms (`.../galleries/G` and `.../locations/westus/Galleries/G/Images/I`)
    // name one gallery; the version given twice is read once, with its status.
    assert_eq!(
        (inv.galleries.len(), inv.images.len(), inv.versions.len()),
        (1, 1, 1)
    );
    assert!(!inv.galleries[0].inferred && !inv.images[0].inferred);
    assert_eq!(inv.galleries[0].region, region("westus"), "\"West US\"");
    let v = &inv.versions[0];
    assert_eq!(
        v.targets,
        vec![
            Target {
                region: region("westus"),
                replicas: 1,
                storage: StorageType::StandardLrs
            },
            Target {
                region: region("eastus"),
                replicas: 2,
                storage: StorageType::StandardLrs
            },
        ]
    );
    assert_eq!(v.replication.len(), 2);
    assert_eq!(v.replication[1].region, "East US");
    assert_eq!(v.replication[1].progress, Some(100.0));
    assert_eq!(v.provisioned_gb(), Some(20.0));
    let next: Vec<&Warning> = inv
        .warnings
        .iter()
        .filter(|w| w.message.contains("another page"))
        .collect();
    assert_eq!(next.len(), 3, "{:?}", inv.warnings);
    assert_eq!(next[0].origin.as_ref().unwrap().path, "$.nextLink");

    let (_, t) = scenario(&inv, &ImportOptions::default());
    let version = &array(&t, "version")[0];
    assert_eq!(version["targets"]["eastus"].as_integer(), Some(2));
    assert_eq!(version["targets"]["westus"].as_integer(), Some(1));
    assert_eq!(
        array(&t, "image")[0]["os_state"].as_str(),
        Some("generalized")
    );
    assert_eq!(array(&t, "image")[0]["generation"].as_integer(), Some(1));
    assert_eq!(t["scenario"]["start"].as_str(), Some("2018-02-01"));
}

/// The recorded version as the Azure CLI prints it: `properties` flattened into the resource,
/// plus `resourceGroup`.
fn flattened(text: &str) -> String {
    let mut v: Value = serde_json::from_str(text).unwrap();
    let obj = v.as_object_mut().unwrap();
    let props = obj.remove("properties").unwrap();
    for (k, p) in props.as_object().unwrap() {
        obj.insert(k.clone(), p.clone());
    }
    obj.insert(
        "resourceGroup".into(),
        "cli_test_gallery_specialized_000001".into(),
    );
    serde_json::to_string_pretty(&v).unwrap()
}

#[test]
fn cli_flattened_output_and_arrays_read_like_rest() {
    let array_of = |items: &[&str]| format!("[{}]", items.join(","));
    let inv = read_ok(&[
        ("sig-list.json", &array_of(&[&flattened(CLI_GALLERY)])),
        ("definitions.json", &array_of(&[&flattened(CLI_IMAGE)])),
        ("versions.json", &array_of(&[&flattened(CLI_VERSION)])),
    ]);
    let rest = cli_specialized();
    assert_eq!(inv.images[0].os_state, rest.images[0].os_state);
    assert_eq!(inv.images[0].generation, rest.images[0].generation);
    let (a, b) = (&inv.versions[0], &rest.versions[0]);
    assert_eq!(
        (&a.targets, a.published, &a.data_disks_gb),
        (&b.targets, b.published, &b.data_disks_gb)
    );
    assert_eq!(a.origin.path, "$[0]");
    // And with a byte-order mark, as PowerShell writes files.
    let bom = format!("\u{feff}{CLI_VERSION}");
    assert_eq!(
        read_ok(&[("g", CLI_GALLERY), ("v", &bom)]).versions.len(),
        1
    );
}

#[test]
fn replica_count_and_storage_fall_back_to_the_version() {
    let mut v: Value = serde_json::from_str(CLI_VERSION).unwrap();
    let profile = &mut v["properties"]["publishingProfile"];
    profile["replicaCount"] = 3.into();
    profile["storageAccountType"] = "Standard_ZRS".into();
    let regions_list = profile["targetRegions"].as_array_mut().unwrap();
    let home = regions_list[0].as_object_mut().unwrap();
    home.remove("regionalReplicaCount");
    home.remove("storageAccountType");
    regions_list.push(serde_json::json!({ "name": "West US 2", "regionalReplicaCount": 2, "storageAccountType": "Premium_LRS" }));
    let inv = read_ok(&[("g", CLI_GALLERY), ("v", &v.to_string())]);
    assert_eq!(
        inv.versions[0].targets,
        vec![
            Target {
                region: region("eastus2"),
                replicas: 3,
                storage: StorageType::StandardZrs
            },
            Target {
                region: region("westus2"),
                replicas: 2,
                storage: StorageType::PremiumLrs
            },
        ]
    );
    let (text, t) = scenario(&inv, &ImportOptions::default());
    let version = &array(&t, "version")[0];
    assert_eq!(version["storage"]["eastus2"].as_str(), Some("standard_zrs"));
    assert_eq!(version["storage"]["westus2"].as_str(), Some("premium_lrs"));
    assert!(
        text.text.contains("targets = { eastus2 = 3, westus2 = 2 }"),
        "{}",
        text.text
    );
    // Without targetRegions: the home region with the version's count.
    let mut v: Value = serde_json::from_str(CLI_VERSION).unwrap();
    v["properties"]["publishingProfile"]
        .as_object_mut()
        .unwrap()
        .remove("targetRegions");
    let inv = read_ok(&[("g", CLI_GALLERY), ("v", &v.to_string())]);
    assert_eq!(inv.versions[0].targets[0].region, region("eastus2"));
}

#[test]
fn same_names_in_other_resource_groups_and_galleries_stay_apart() {
    let other = |t: &str| t.replace("cli_test_gallery_specialized_000001", "rg-two");
    let tl_gallery = CLI_TL_GALLERY.replace("eastus2euap", "westeurope");
    let tl_image = CLI_TL_IMAGE.replace("eastus2euap", "westeurope");
    let list = [
        ("a.json", CLI_GALLERY),
        ("b.json", CLI_IMAGE),
        ("c.json", CLI_VERSION),
        ("d.json", &other(CLI_GALLERY)),
        ("e.json", &other(CLI_IMAGE)),
        ("f.json", &other(CLI_VERSION)),
        ("g.json", &tl_gallery),
        ("h.json", &tl_image),
    ];
    let inv = read_ok(&list);
    assert_eq!(
        (inv.galleries.len(), inv.images.len(), inv.versions.len()),
        (3, 3, 2)
    );
    let options = ImportOptions {
        start: Some(jiff::civil::date(2026, 9, 1)),
        ..Default::default()
    };
    let (text, t) = scenario(&inv, &options);
    let names = |key: &str| -> Vec<String> {
        array(&t, key)
            .iter()
            .map(|x| x["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        names("gallery"),
        [
            "gallery1-cli_test_gallery_specialized_000001",
            "gallery1-rg-two",
            "gallery_000002"
        ]
    );
    assert_eq!(
        names("image"),
        [
            "gallery1-cli_test_gallery_specialized_000001-image1",
            "gallery1-rg-two-image1",
            "gallery_000002-image1"
        ]
    );
    let galleries: Vec<&str> = array(&t, "image")
        .iter()
        .map(|i| i["gallery"].as_str().unwrap())
        .collect();
    assert_eq!(
        galleries,
        [
            "gallery1-cli_test_gallery_specialized_000001",
            "gallery1-rg-two",
            "gallery_000002"
        ]
    );
    let images: Vec<&str> = array(&t, "version")
        .iter()
        .map(|v| v["image"].as_str().unwrap())
        .collect();
    assert_eq!(
        images,
        [
            "gallery1-cli_test_gallery_specialized_000001-image1",
            "gallery1-rg-two-image1"
        ]
    );
    // Whatever the order of the files, the same scenario (apart from the comments that list
    // the files and warnings).
    let mut reversed = list.to_vec();
    reversed.reverse();
    let (again, _) = scenario(&read_ok(&reversed), &options);
    let body = |s: &str| {
        s.lines()
            .filter(|l| !l.starts_with('#'))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(body(&text.text), body(&again.text));
}

#[test]
fn used_gb_overrides_the_provisioned_size() {
    let inv = cli_specialized();
    let options = ImportOptions {
        used_gb: vec![parse_used_gb("image1=4.5").unwrap()],
        ..Default::default()
    };
    let (text, t) = scenario(&inv, &options);
    assert_eq!(array(&t, "image")[0]["used_gb"].as_float(), Some(4.5));
    assert_eq!(array(&t, "version")[0]["used_gb"].as_float(), Some(4.5));
    assert!(text.warnings.is_empty(), "{:?}", text.warnings);
    let options = ImportOptions {
        used_gb: vec![("cs101".into(), 4.0)],
        ..Default::default()
    };
    let err = inv.to_scenario_toml(regions(), &options).unwrap_err();
    assert_eq!(
        err.to_string(),
        "--used-gb `cs101=4`: no image of that name; images: image1"
    );
    for bad in [
        "image1",
        "=3",
        "image1=x",
        "image1=-1",
        "image1=inf",
        "image1=NaN",
    ] {
        assert!(
            matches!(parse_used_gb(bad), Err(InventoryError::UsedGb { .. })),
            "{bad}"
        );
    }
    assert_eq!(
        parse_used_gb(" a=b = 7 ").unwrap(),
        ("a=b".to_string(), 7.0)
    );
}

#[test]
fn start_and_months_are_checked() {
    let inv = cli_specialized();
    let early = ImportOptions {
        start: Some(jiff::civil::date(2019, 11, 21)),
        ..Default::default()
    };
    let err = inv.to_scenario_toml(regions(), &early).unwrap_err();
    assert!(
        matches!(err, InventoryError::PublishedAfterStart { .. }),
        "{err}"
    );
    assert!(err
        .to_string()
        .contains("version `1.0.0` of image `image1` was published 2019-11-21T05:44:52.3781977Z"));
    for months in [0, 601] {
        let options = ImportOptions {
            months: Some(months),
            ..Default::default()
        };
        assert!(matches!(
            inv.to_scenario_toml(regions(), &options),
            Err(InventoryError::Options(_))
        ));
    }
    let options = ImportOptions {
        name: Some("Our \"gallery\"\n".into()),
        months: Some(24),
        start: Some(jiff::civil::date(2027, 1, 1)),
        used_gb: vec![],
    };
    let (_, t) = scenario(&inv, &options);
    assert_eq!(t["scenario"]["name"].as_str(), Some("Our \"gallery\"\n"));
    assert_eq!(t["scenario"]["months"].as_integer(), Some(24));
}

/// The error of reading `text` alone, as a string.
fn error_of(text: &str) -> String {
    read(&files(&[("x.json", text)]), regions())
        .unwrap_err()
        .to_string()
}

#[test]
fn bad_input_is_an_error_naming_the_file_and_the_json_path() {
    assert!(
        error_of("{\n  \"id\": ").starts_with("x.json:2:"),
        "{}",
        error_of("{\n \"id\": ")
    );
    assert_eq!(
        error_of("42"),
        "x.json: $: expected a resource, an array of resources or a list page, found a number"
    );
    assert_eq!(error_of("[{\"name\": \"g\"}]"), "x.json: $[0]: no `id`: not an Azure resource (expected a gallery, image definition or image version)");
    assert_eq!(
        error_of("{\"value\": 3}"),
        "x.json: $.value: expected the array of a list page"
    );
    assert_eq!(
        error_of("[]"),
        "no gallery, image definition or image version in x.json"
    );
    let mut v: Value = serde_json::from_str(CLI_VERSION).unwrap();
    v["properties"]["publishingProfile"]["targetRegions"][0]["name"] = "East Usa 2".into();
    assert!(error_of(&v.to_string()).starts_with(
        "x.json: $.properties.publishingProfile.targetRegions[0].name: unknown Azure region `East Usa 2` (did you mean eastus2,"
    ));
    let mut v: Value = serde_json::from_str(CLI_VERSION).unwrap();
    v["properties"]["publishingProfile"]["targetRegions"][0]["storageAccountType"] =
        "PremiumV2_LRS".into();
    assert!(error_of(&v.to_string()).starts_with("x.json: $.properties.publishingProfile.targetRegions[0].storageAccountType: storage account type `PremiumV2_LRS`"));
    let mut v: Value = serde_json::from_str(CLI_VERSION).unwrap();
    v["properties"]["publishingProfile"]["targetRegions"][0]["regionalReplicaCount"] = 0.into();
    assert!(error_of(&v.to_string())
        .contains("targetRegions[0].regionalReplicaCount: expected a replica count of 1 or more"));
    let mut v: Value = serde_json::from_str(CLI_VERSION).unwrap();
    v["properties"]["publishingProfile"]["publishedDate"] = "21/11/2019".into();
    assert!(error_of(&v.to_string()).starts_with("x.json: $.properties.publishingProfile.publishedDate: `21/11/2019` is not an ISO 8601 time"));
    let mut v: Value = serde_json::from_str(CLI_VERSION).unwrap();
    v["properties"]["storageProfile"]["dataDiskImages"][1]["sizeInGB"] = (-1).into();
    assert!(error_of(&v.to_string()).contains("dataDiskImages[1].sizeInGB: expected a size in GB"));
    let mut v: Value = serde_json::from_str(CLI_IMAGE).unwrap();
    v["properties"]["osState"] = "Captured".into();
    assert!(error_of(&v.to_string()).contains("$.properties.osState: osState `captured`"));
    let mut v: Value = serde_json::from_str(CLI_GALLERY).unwrap();
    v["id"] = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Compute/galleries/g\u{202e}x"
        .into();
    assert!(error_of(&v.to_string()).contains("$.id: a name must not contain control characters"));
    let mut v: Value = serde_json::from_str(CLI_GALLERY).unwrap();
    v["id"] = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Compute/disks/d".into();
    assert!(error_of(&v.to_string()).contains("is not the id of a gallery"));
    // An image whose gallery is neither given nor located.
    let mut v: Value = serde_json::from_str(CLI_IMAGE).unwrap();
    v.as_object_mut().unwrap().remove("location");
    assert!(error_of(&v.to_string())
        .contains("gallery `gallery1` is not in the input and nothing gives its region"));
    // Other resource types are skipped with a warning.
    let app = CLI_GALLERY.replace(
        "\"Microsoft.Compute/galleries\"",
        "\"Microsoft.Compute/galleries/applications\"",
    );
    let inv = read_ok(&[("app.json", &app), ("g.json", CLI_GALLERY)]);
    assert_eq!(inv.galleries.len(), 1);
    assert!(inv.warnings[0]
        .to_string()
        .starts_with("app.json: $: not a gallery"));
}

#[test]
fn every_region_is_found_by_its_arm_and_display_name() {
    let catalog = regions();
    for (id, r) in catalog.iter() {
        assert_eq!(find_region(catalog, &r.name), Some(id));
        assert_eq!(
            find_region(catalog, &r.display_name),
            Some(id),
            "{}",
            r.display_name
        );
        assert_eq!(
            find_region(catalog, &r.display_name.to_uppercase()),
            Some(id)
        );
    }
    assert_eq!(find_region(catalog, "East US"), catalog.find("eastus"));
    assert_eq!(find_region(catalog, "eastus2euap"), None);
    assert_eq!(find_region(catalog, " "), None);
}

/// The written scenario through the simulator's own parser: the recorded gallery as it
/// stands costs the same every month (its versions exist from the first hour, nothing new is
/// exported or copied).
#[test]
fn the_written_scenario_runs() {
    let (text, _) = scenario(&cli_specialized(), &ImportOptions::default());
    let scenario = crate::scenario::Scenario::parse(&text.text, "imported.toml")
        .unwrap_or_else(|e| panic!("{e}\n{}", text.text));
    assert_eq!(scenario.images[0].existing.len(), 1);
    let results = crate::montecarlo::simulate(&scenario, &|| {});
    let totals = results.runs[0].totals;
    assert!(totals.total_cost > 0.0);
    assert_eq!(totals.cost[crate::model::Component::Egress], 0.0);
    assert_eq!(totals.versions_created, 0);
    let months = &results.monthly_totals[0];
    assert!(
        months.iter().all(|m| (m - months[0]).abs() < 1e-9),
        "{months:?}"
    );
}
