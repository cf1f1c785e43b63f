// The demo fleet: realistic packaged UV units (parameters from domain.md §6.3, §2.5, §4.3).
import type { ComponentType } from "@/generated/prisma/enums";

export interface ComponentSpec {
  code: string;
  type: ComponentType;
  name: string;
  parent?: string;
  manufacturer?: string;
  modelNumber?: string;
  attributes?: Record<string, number | string>;
  bom?: { part: string; quantity: number }[];
}

export interface ModelSpec {
  code: string;
  manufacturer: string;
  name: string;
  ratedFlowM3h: number;
  nsfClass: "A" | "B" | "none";
  requiredDoseMjCm2: number;
  certifications: string[];
  description: string;
  components: ComponentSpec[];
  limits: { metricKey: string; min?: number; max?: number; source: string }[];
  twin: Record<string, number>;
}

export const DEMO_PARTS = [
  { partNumber: "UVL-150-AM", name: "UV lamp 150 W LP-amalgam", componentType: "lamp", supplier: "Lumen UV Supply", leadTimeDays: 10, unitCost: 189 },
  { partNumber: "UVL-80-LP", name: "UV lamp 80 W low-pressure", componentType: "lamp", supplier: "Lumen UV Supply", leadTimeDays: 10, unitCost: 119 },
  { partNumber: "QS-900", name: "Quartz sleeve 900 mm", componentType: "sleeve", supplier: "Lumen UV Supply", leadTimeDays: 14, unitCost: 96 },
  { partNumber: "QS-600", name: "Quartz sleeve 600 mm", componentType: "sleeve", supplier: "Lumen UV Supply", leadTimeDays: 14, unitCost: 78 },
  { partNumber: "EB-150", name: "Electronic ballast 150 W", componentType: "ballast", supplier: "Lumen UV Supply", leadTimeDays: 21, unitCost: 240 },
  { partNumber: "EB-80", name: "Electronic ballast 80 W", componentType: "ballast", supplier: "Lumen UV Supply", leadTimeDays: 21, unitCost: 175 },
  { partNumber: "UVS-254", name: "UV intensity sensor 254 nm", componentType: "uv_sensor", supplier: "Lumen UV Supply", leadTimeDays: 28, unitCost: 520 },
  { partNumber: "FC-5-20", name: "Filter cartridge 5 µm, 20 in", componentType: "filter", supplier: "ClearFlow Filtration", leadTimeDays: 5, unitCost: 14.5 },
  { partNumber: "FC-1-20", name: "Filter cartridge 1 µm, 20 in", componentType: "filter", supplier: "ClearFlow Filtration", leadTimeDays: 5, unitCost: 19.9 },
  { partNumber: "MF-SAND-25", name: "Filter media, quartz sand 25 kg", componentType: "filter", supplier: "ClearFlow Filtration", leadTimeDays: 7, unitCost: 32 },
  { partNumber: "MS-KIT-VM", name: "Mechanical seal kit, vertical multistage pump", componentType: "pump", supplier: "Helix Pumps Service", leadTimeDays: 7, unitCost: 145 },
  { partNumber: "BRG-6204", name: "Ball bearing 6204-2Z", componentType: "motor", supplier: "Helix Pumps Service", leadTimeDays: 3, unitCost: 12.4 },
  { partNumber: "PT-16", name: "Pressure transmitter 0–16 bar", componentType: "sensor", supplier: "Helix Pumps Service", leadTimeDays: 10, unitCost: 210 },
  { partNumber: "FM-MAG-25", name: "Magnetic flow meter DN25", componentType: "sensor", supplier: "ClearFlow Filtration", leadTimeDays: 30, unitCost: 890 },
] as const;

export const DEMO_SUPPLIERS = [
  { name: "Lumen UV Supply", email: "orders@lumen-uv.example", phone: "+49 911 555 0100" },
  { name: "ClearFlow Filtration", email: "sales@clearflow.example", phone: "+351 21 555 0200" },
  { name: "Helix Pumps Service", email: "service@helix-pumps.example", phone: "+254 20 555 0300" },
];

const pumpTree = (motorKw: number, pumpModel: string, sealPart = "MS-KIT-VM"): ComponentSpec[] => [
  { code: "pump-1", type: "pump", name: "Booster pump", manufacturer: "Helix", modelNumber: pumpModel, attributes: { ratedHeadM: 45, shutoffHeadM: 60, bepFlowM3h: 10, efficiencyBep: 0.6 }, bom: [{ part: sealPart, quantity: 1 }] },
  { code: "motor-1", type: "motor", name: "Pump motor", parent: "pump-1", manufacturer: "Helix", modelNumber: `IE3-${motorKw}kW`, attributes: { ratedPowerKw: motorKw, efficiency: 0.86 }, bom: [{ part: "BRG-6204", quantity: 2 }] },
  { code: "vfd-1", type: "vfd", name: "Variable-frequency drive", parent: "pump-1", manufacturer: "Helix", modelNumber: `VF-${motorKw}`, attributes: { efficiency: 0.96 } },
];

const instruments = (withUvt: boolean): ComponentSpec[] => [
  { code: "ft-1", type: "sensor", name: "Flow meter", manufacturer: "ClearFlow", modelNumber: "MAG-25", bom: [{ part: "FM-MAG-25", quantity: 1 }] },
  { code: "pt-1", type: "sensor", name: "Discharge pressure transmitter", manufacturer: "Helix", modelNumber: "PT-16", bom: [{ part: "PT-16", quantity: 1 }] },
  { code: "tt-1", type: "sensor", name: "Water temperature sensor", manufacturer: "ClearFlow", modelNumber: "PT100" },
  { code: "turb-1", type: "sensor", name: "Turbidimeter (UV feed)", manufacturer: "ClearFlow", modelNumber: "NTU-10" },
  ...(withUvt ? [{ code: "uvt-1", type: "sensor" as const, name: "Online UVT analyser", manufacturer: "Lumen", modelNumber: "UVT-254" }] : []),
  { code: "tank-1", type: "tank", name: "Treated-water tank", attributes: { volumeM3: 5 } },
  { code: "plc-1", type: "controller", name: "Unit controller (PLC)", manufacturer: "EcoMate", modelNumber: "GW-2" },
];

const uvReactor = (lamps: number, lampPart: string, sleevePart: string, ballastPart: string, lampW: number): ComponentSpec[] => {
  const out: ComponentSpec[] = [
    { code: "uv-1", type: "uv_reactor", name: "UV reactor", manufacturer: "Lumen", modelNumber: lamps > 1 ? "LR-2x150" : `LR-${lampW}` },
    { code: "uvsensor-1", type: "uv_sensor", name: "UV intensity sensor", parent: "uv-1", manufacturer: "Lumen", modelNumber: "UVS-254", bom: [{ part: "UVS-254", quantity: 1 }] },
  ];
  for (let i = 1; i <= lamps; i++) {
    out.push(
      { code: `lamp-${i}`, type: "lamp", name: `UV lamp ${i}`, parent: "uv-1", manufacturer: "Lumen", modelNumber: lampPart, attributes: { powerW: lampW, ratedLifeH: 12000, endOfLampLifeFactor: 0.85 }, bom: [{ part: lampPart, quantity: 1 }] },
      { code: `sleeve-${i}`, type: "sleeve", name: `Quartz sleeve ${i}`, parent: "uv-1", manufacturer: "Lumen", modelNumber: sleevePart, attributes: { transmittance: 0.95 }, bom: [{ part: sleevePart, quantity: 1 }] },
      { code: `ballast-${i}`, type: "ballast", name: `Ballast ${i}`, parent: "uv-1", manufacturer: "Lumen", modelNumber: ballastPart, bom: [{ part: ballastPart, quantity: 1 }] },
    );
  }
  return out;
};

const baseTwin = { h0M: 60, qBepM3h: 10, hBepM: 45, etaBep: 0.6, motorEta: 0.86, vfdEta: 0.96, hStaticM: 15, kPipe: 0.12, kUv: 0.02, rf0: 0.15, dpTerminalBar: 1, lampW: 150, etaUvc: 0.33, eolFactor: 0.85, sleeveT: 0.95, kCal: 1.2 };

export const DEMO_MODELS: ModelSpec[] = [
  {
    code: "AQ-UV10",
    manufacturer: "AquaPure",
    name: "UV-10 packaged unit",
    ratedFlowM3h: 10,
    nsfClass: "A",
    requiredDoseMjCm2: 40,
    certifications: ["NSF/ANSI 55 Class A"],
    description: "Booster pump, twin cartridge filters, 150 W amalgam UV reactor, 5 m³ tank.",
    components: [
      ...pumpTree(2.2, "VM-10/5"),
      { code: "filter-1", type: "filter", name: "Cartridge filter 5 µm", manufacturer: "ClearFlow", modelNumber: "CH-20", attributes: { micron: 5, rf0: 0.15 }, bom: [{ part: "FC-5-20", quantity: 4 }] },
      { code: "filter-2", type: "filter", name: "Cartridge filter 1 µm", manufacturer: "ClearFlow", modelNumber: "CH-20", attributes: { micron: 1, rf0: 0.15 }, bom: [{ part: "FC-1-20", quantity: 4 }] },
      ...uvReactor(1, "UVL-150-AM", "QS-900", "EB-150", 150),
      ...instruments(false),
    ],
    limits: [
      { metricKey: "flow_rate", min: 1.5, max: 12, source: "validation report" },
      { metricKey: "uvt", min: 85, source: "validation report" },
      { metricKey: "uv_intensity", min: 48, source: "validation report (sensor setpoint)" },
      { metricKey: "water_temperature", min: 2, max: 30, source: "manufacturer" },
      { metricKey: "pump_pressure", max: 6, source: "manufacturer" },
      { metricKey: "turbidity", max: 1, source: "manufacturer" },
    ],
    twin: baseTwin,
  },
  {
    code: "AQ-UV5",
    manufacturer: "AquaPure",
    name: "UV-5 compact unit",
    ratedFlowM3h: 5,
    nsfClass: "A",
    requiredDoseMjCm2: 40,
    certifications: ["NSF/ANSI 55 Class A"],
    description: "Compact skid: booster pump, single cartridge filter, 80 W UV reactor.",
    components: [
      ...pumpTree(1.1, "VM-5/6"),
      { code: "filter-1", type: "filter", name: "Cartridge filter 5 µm", manufacturer: "ClearFlow", modelNumber: "CH-20", attributes: { micron: 5, rf0: 0.3 }, bom: [{ part: "FC-5-20", quantity: 2 }] },
      ...uvReactor(1, "UVL-80-LP", "QS-600", "EB-80", 80),
      ...instruments(false),
    ],
    limits: [
      { metricKey: "flow_rate", min: 0.75, max: 6, source: "validation report" },
      { metricKey: "uvt", min: 85, source: "validation report" },
      { metricKey: "uv_intensity", min: 40, source: "validation report (sensor setpoint)" },
      { metricKey: "water_temperature", min: 2, max: 30, source: "manufacturer" },
      { metricKey: "pump_pressure", max: 6, source: "manufacturer" },
      { metricKey: "turbidity", max: 1, source: "manufacturer" },
    ],
    twin: { ...baseTwin, qBepM3h: 5, lampW: 80, rf0: 0.3 },
  },
  {
    code: "HX-20",
    manufacturer: "HydroNex",
    name: "HX-20 community plant",
    ratedFlowM3h: 20,
    nsfClass: "none",
    requiredDoseMjCm2: 40,
    certifications: ["UVDGM-validated reactor, 4-log virus credit at 186 mJ/cm² not claimed"],
    description: "Sand media filter, two-lamp UV reactor with online UVT, 4 kW booster, 15 m³ tank.",
    components: [
      ...pumpTree(4, "VM-20/4"),
      { code: "filter-1", type: "filter", name: "Sand media filter", manufacturer: "ClearFlow", modelNumber: "MF-600", attributes: { mediaKg: 150, backwash: "auto" }, bom: [{ part: "MF-SAND-25", quantity: 6 }] },
      { code: "filter-2", type: "filter", name: "Polishing cartridge 5 µm", manufacturer: "ClearFlow", modelNumber: "CH-20x3", attributes: { micron: 5 }, bom: [{ part: "FC-5-20", quantity: 6 }] },
      ...uvReactor(2, "UVL-150-AM", "QS-900", "EB-150", 150),
      ...instruments(true),
    ],
    limits: [
      { metricKey: "flow_rate", min: 3, max: 22, source: "validation report" },
      { metricKey: "uvt", min: 75, source: "validation report" },
      { metricKey: "uv_intensity", min: 45, source: "validation report (sensor setpoint)" },
      { metricKey: "water_temperature", min: 2, max: 30, source: "manufacturer" },
      { metricKey: "pump_pressure", max: 8, source: "manufacturer" },
      { metricKey: "turbidity", max: 1, source: "site permit" },
    ],
    // pipework and reactor sized for 20 m³/h: the same head loss at rated flow as the 10 m³/h unit
    // (k scales with 1/Q_rated²), so the pump reaches its validated maximum (22 m³/h) with margin
    twin: { ...baseTwin, qBepM3h: 20, hBepM: 40, h0M: 55, lampW: 300, kPipe: 0.03, kUv: 0.005 },
  },
];

export interface SiteSpec {
  code: string;
  name: string;
  timeZone: string;
  latitude: number;
  longitude: number;
  country: string;
  address: string;
  systems: { code: string; name: string; model: string; commissioned: string; status?: "operating" | "standby" | "maintenance" | "commissioning" }[];
}

export const DEMO_ORG = { slug: "nordwasser", name: "Nordwasser Services" };

export const DEMO_SITES: SiteSpec[] = [
  {
    code: "NBG",
    name: "Nuremberg Water Works",
    timeZone: "Europe/Berlin",
    latitude: 49.4521,
    longitude: 11.0767,
    country: "DE",
    address: "Wasserwerkstraße 4, 90402 Nürnberg",
    systems: [
      { code: "NBG-01", name: "Hall A, line 1", model: "AQ-UV10", commissioned: "2023-03-14" },
      { code: "NBG-02", name: "Hall A, line 2", model: "AQ-UV10", commissioned: "2023-03-14" },
      { code: "NBG-03", name: "Hall B, line 1", model: "HX-20", commissioned: "2022-09-01" },
      { code: "NBG-04", name: "Visitor centre", model: "AQ-UV5", commissioned: "2024-05-20" },
      { code: "NBG-05", name: "Hall B, line 2 (standby)", model: "HX-20", commissioned: "2022-09-01", status: "standby" },
    ],
  },
  {
    code: "LIS",
    name: "Lisbon Hillside Estate",
    timeZone: "Europe/Lisbon",
    latitude: 38.7223,
    longitude: -9.1393,
    country: "PT",
    address: "Rua da Fonte 12, 1100-148 Lisboa",
    systems: [
      { code: "LIS-01", name: "Borehole 1", model: "AQ-UV10", commissioned: "2021-11-02" },
      { code: "LIS-02", name: "Borehole 2", model: "AQ-UV10", commissioned: "2021-11-02" },
      { code: "LIS-03", name: "Guest houses", model: "AQ-UV5", commissioned: "2024-02-12" },
      { code: "LIS-04", name: "Irrigation reuse", model: "HX-20", commissioned: "2025-06-30", status: "commissioning" },
    ],
  },
  {
    code: "NAI",
    name: "Nairobi Clinic Campus",
    timeZone: "Africa/Nairobi",
    latitude: -1.2921,
    longitude: 36.8219,
    country: "KE",
    address: "Ngong Road, Nairobi",
    systems: [
      { code: "NAI-01", name: "Main clinic", model: "HX-20", commissioned: "2024-01-15" },
      { code: "NAI-02", name: "Maternity wing", model: "AQ-UV10", commissioned: "2024-01-15" },
      { code: "NAI-03", name: "Staff housing", model: "AQ-UV5", commissioned: "2024-08-08", status: "maintenance" },
    ],
  },
];

// A second, unrelated organisation: demonstrates (and lets tests check) that organisations never see each other.
export const SECOND_ORG = { slug: "alpine-coop", name: "Alpine Water Co-op" };
export const SECOND_ORG_SITES: SiteSpec[] = [
  {
    code: "INN",
    name: "Innsbruck Hut Network",
    timeZone: "Europe/Vienna",
    latitude: 47.2692,
    longitude: 11.4041,
    country: "AT",
    address: "Höttinger Alm, 6020 Innsbruck",
    systems: [
      { code: "INN-01", name: "Upper hut", model: "AQ-UV5", commissioned: "2023-06-01" },
      { code: "INN-02", name: "Lower hut", model: "AQ-UV5", commissioned: "2023-06-01" },
    ],
  },
];

/** Demo users; their passwords are documented in README.md. */
export const DEMO_USERS = [
  { email: "admin@ecomate.local", name: "Ada Admin", role: "admin", password: "admin-demo-pass", org: DEMO_ORG.slug },
  { email: "manager@ecomate.local", name: "Mara Manager", role: "manager", password: "manager-demo-pass", org: DEMO_ORG.slug },
  { email: "technician@ecomate.local", name: "Tomás Technician", role: "technician", password: "technician-demo-pass", org: DEMO_ORG.slug },
  { email: "viewer@ecomate.local", name: "Vera Viewer", role: "viewer", password: "viewer-demo-pass", org: DEMO_ORG.slug },
  { email: "admin@alpine.local", name: "Alois Admin", role: "admin", password: "alpine-demo-pass", org: SECOND_ORG.slug },
] as const;
