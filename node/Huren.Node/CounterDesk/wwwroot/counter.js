// The counter page (窗口核验). Plain JavaScript, no libraries. The node decides what is believed (VerdictView); this
// file lays it out, signs with the clerk's key (WebCrypto, the key never leaves the browser) and speaks two languages.
"use strict";

const TEXT = {
  zh: {
    skip: "跳到主要内容", title: "窗口核验", signOut: "退出登录", loginTitle: "窗口人员登录",
    loginHelp: "用本窗口的密钥登录：选择窗口私钥文件（PEM，Ed25519 或 P-256），密钥只在本浏览器中使用，不会上传。",
    principal: "窗口账号", keyFile: "窗口私钥文件（PEM）", signIn: "登录", deskTitle: "核验证照",
    query: "证照标识或二维码内容", verify: "核验", queryHelp: "输入或粘贴证照标识，或扫码所得的 huren:license 引用；按回车核验。",
    camera: "摄像头扫码", cameraStop: "停止扫码", photo: "上传二维码照片", bundle: "上传证据包（JSON）",
    sealed: "用章文件核验", sealedDocument: "文件", sealedSignature: "签章数据",
    evidenceDetails: "证据详情", print: "打印核验单", useOpen: "用证留痕", useTitle: "记录用证（用证留痕）",
    matterCode: "事项编码", matterName: "事项名称", reason: "仍予使用的理由", serial: "办件编号（可选）",
    useSubmit: "签名并留痕", cancel: "取消",
    footer: "核验结论只在其证据依据网络配置核验通过、且所依检查点已终局时才予采信。",
    lang: "English", langName: "en",
    signedInAs: "已登录：{p}（{i}），会话至 {t}", where: "{city} 节点 · {origin}",
    busyVerify: "正在核验…", busyPhoto: "正在识别照片中的二维码…", busyBundle: "正在核验证据包…", busySign: "正在签名并提交…",
    busyLogin: "正在登录…", busyCamera: "请将二维码对准摄像头…",
    needPrincipal: "请填写窗口账号。", needKey: "请选择窗口私钥文件。", needQuery: "请输入证照标识或二维码内容。",
    badKey: "无法读取该私钥：需要 PKCS#8 PEM 格式的 Ed25519 或 P-256 私钥（浏览器不支持 SM2，请用命令行）。",
    sessionOver: "会话已结束，请重新登录。",
    v_VALID: "有效", v_REVOKED: "已吊销", v_REVOKED_07: "已吊销", v_REVOKED_04: "已注销", v_REVOKED_03: "已撤销",
    v_SUSPENDED: "暂扣", v_EXPIRED: "已过期", v_NOT_YET_VALID: "尚未生效", v_TRANSFERRED: "已转出", v_UNKNOWN: "未找到",
    notVerified: "未通过核验", notFinal: "尚未终局",
    subBelieved: "证据已核验，检查点已终局", subNotFinal: "证据已核验，但检查点尚未终局，不应据此办理：{v}",
    subNotVerified: "不予采信：{f}", subUnknown: "本节点的各城市账本中没有此证照（“不存在”为节点所言，证据尚不能证明不存在）",
    nodeSays: "节点称：{v}（{r}）",
    f_license: "证照标识", f_name: "证照名称", f_type: "证照类型", f_holder: "持证主体", f_issuer: "颁发机构",
    f_validity: "有效期", f_log: "所属账本", f_asked: "核验节点", f_source: "核验方式", f_reference: "二维码引用",
    f_time: "核验时间", f_counter: "核验窗口", f_reason: "节点说明",
    noEnd: "长期", s_id: "输入证照标识", s_reference: "二维码引用", s_photo: "二维码照片", s_camera: "摄像头扫码", s_bundle: "离线证据包",
    refProven: "二维码所指条目已由证据证实（叶哈希一致）", refNotProven: "二维码所指条目未被证据证实",
    evidenceOk: "证据已依据网络配置 v{v} 核验；检查点已终局（{k}/{n} 个见证签名）",
    evidenceNotFinal: "证据已依据网络配置 v{v} 核验；检查点尚未终局（{k}/{n} 个见证签名，门限 {t}）",
    evidenceBad: "证据未通过核验：{f}", evidenceNone: "没有证据",
    e_network: "网络配置", e_checkpoints: "检查点", e_entries: "条目", e_statusProofs: "状态证明", e_created: "证据包生成时间",
    e_origin: "账本", e_size: "大小", e_cosig: "见证签名", e_final: "终局", e_newest: "最新见证签名时间",
    e_index: "序号", e_kind: "类型", e_summary: "内容", e_download: "下载证据包", e_yes: "是", e_no: "否",
    e_unverified: "注意：以下证据未通过核验，仅供排查。",
    useNeedsReason: "该证照不是已终局的“有效”结论（{v}）。如仍要使用，须说明理由，理由将写入留痕记录。",
    needMatter: "请填写事项编码和事项名称。", needReason: "请说明仍予使用的理由。",
    useDone: "已留痕：{origin} 第 {index} 条（叶哈希 {hash}…），由 {p} 签名。",
    slipTitle: "证照核验单", slipFoot: "本核验单由互认节点 {origin} 生成；结论以证据核验为准。",
    slipUse: "用证留痕", cameraNone: "无法打开摄像头：{e}",
    busySealed: "正在核验用章文件（文件只计算 SM3 摘要，不留存）…", needSealed: "请选择文件和其签章数据文件（.ses）。",
    v_NOT_REGISTERED: "印章未备案", v_BAD_SIGNATURE: "签章无效", v_SIGNER_NOT_ALLOWED: "签章人无权用此印章", v_MALFORMED: "签章数据无法识读",
    subUnknownSeal: "本节点的各城市账本中没有此印章的备案（“未备案”为节点所言，证据尚不能证明不存在）",
    f_seal: "印章编码", f_sealName: "印章名称", f_owner: "用章单位代码", f_registered: "备案账本", f_signer: "签章人",
    f_signedAt: "签章时间（签章人自述）", f_sealReason: "结论说明", f_revocation: "吊销原因", f_document: "文件", f_sm3: "文件 SM3 摘要",
    bytes: "{n} 字节", "s_sealed-document": "用章文件", sealSignatureOnly: "此结论由签章数据本身得出，无需账本证据",
  },
  en: {
    skip: "Skip to main content", title: "Counter verification", signOut: "Sign out", loginTitle: "Counter sign-in",
    loginHelp: "Sign in with this counter's key: choose the counter's private key file (PEM, Ed25519 or P-256). The key is used in this browser only and is never uploaded.",
    principal: "Counter principal", keyFile: "Counter private key file (PEM)", signIn: "Sign in", deskTitle: "Verify a license",
    query: "License id or QR code text", verify: "Verify", queryHelp: "Type or paste a license id (证照标识) or a scanned huren:license reference; press Enter to verify.",
    camera: "Scan with camera", cameraStop: "Stop scanning", photo: "Upload a photo of the QR code", bundle: "Upload an evidence bundle (JSON)",
    sealed: "Sealed document", sealedDocument: "Document", sealedSignature: "Seal signature",
    evidenceDetails: "Evidence details", print: "Print verification slip", useOpen: "Record use", useTitle: "Record a use (用证留痕)",
    matterCode: "Matter code", matterName: "Matter name", reason: "Reason to use it anyway", serial: "Case number (optional)",
    useSubmit: "Sign and record", cancel: "Cancel",
    footer: "A verdict is believed only when its evidence verifies against the network configuration and rests on a final checkpoint.",
    lang: "中文", langName: "zh-CN",
    signedInAs: "Signed in as {p} ({i}); the session ends at {t}", where: "{city} node · {origin}",
    busyVerify: "Verifying…", busyPhoto: "Reading the QR code in the photo…", busyBundle: "Checking the evidence bundle…", busySign: "Signing and submitting…",
    busyLogin: "Signing in…", busyCamera: "Hold the QR code in front of the camera…",
    needPrincipal: "Give the counter principal.", needKey: "Choose the counter's private key file.", needQuery: "Type a license id or QR code text.",
    badKey: "This key cannot be read: a PKCS#8 PEM Ed25519 or P-256 private key is needed (browsers cannot sign with SM2; use the CLI).",
    sessionOver: "The session has ended; sign in again.",
    v_VALID: "VALID", v_REVOKED: "REVOKED", v_REVOKED_07: "REVOKED", v_REVOKED_04: "CANCELLED", v_REVOKED_03: "WITHDRAWN",
    v_SUSPENDED: "SUSPENDED", v_EXPIRED: "EXPIRED", v_NOT_YET_VALID: "NOT YET VALID", v_TRANSFERRED: "TRANSFERRED OUT", v_UNKNOWN: "NOT FOUND",
    notVerified: "NOT VERIFIED", notFinal: "NOT FINAL",
    subBelieved: "evidence verified; checkpoint final", subNotFinal: "evidence verified, but its checkpoint is not final yet: do not act on it ({v})",
    subNotVerified: "not to be believed: {f}", subUnknown: "no log this node keeps holds this license (absence is the node's word: evidence cannot prove it yet)",
    nodeSays: "The node says: {v} ({r})",
    f_license: "License id", f_name: "License name", f_type: "Type", f_holder: "Holder", f_issuer: "Issued by",
    f_validity: "Validity", f_log: "Log", f_asked: "Node asked", f_source: "Asked by", f_reference: "QR reference",
    f_time: "Verified at", f_counter: "Counter", f_reason: "Node's reason",
    noEnd: "no end (长期)", s_id: "typed license id", s_reference: "QR reference", s_photo: "photo of a QR code", s_camera: "camera scan", s_bundle: "offline evidence bundle",
    refProven: "the entry the QR code names is in the verified evidence (same leaf hash)", refNotProven: "the entry the QR code names is not in the verified evidence",
    evidenceOk: "evidence verified against network configuration v{v}; checkpoint final ({k} of {n} cosignatures)",
    evidenceNotFinal: "evidence verified against network configuration v{v}; checkpoint NOT final ({k} of {n} cosignatures, threshold {t})",
    evidenceBad: "evidence not verified: {f}", evidenceNone: "no evidence",
    e_network: "Network configuration", e_checkpoints: "Checkpoints", e_entries: "Entries", e_statusProofs: "Status proofs", e_created: "Bundle made at",
    e_origin: "Log", e_size: "Size", e_cosig: "Cosignatures", e_final: "Final", e_newest: "Newest cosignature",
    e_index: "Index", e_kind: "Kind", e_summary: "Summary", e_download: "Download the evidence bundle", e_yes: "yes", e_no: "no",
    e_unverified: "Note: this evidence did NOT verify; shown for troubleshooting only.",
    useNeedsReason: "This license is not a final VALID ({v}). To use it anyway, give the reason; it is written into the record.",
    needMatter: "Give the matter code and the matter name.", needReason: "Give the reason to use it anyway.",
    useDone: "Recorded: {origin} #{index} (leaf hash {hash}…), signed by {p}.",
    slipTitle: "License verification slip", slipFoot: "Made by Huren node {origin}; the verdict stands on its verified evidence.",
    slipUse: "Use recorded", cameraNone: "The camera cannot be opened: {e}",
    busySealed: "Checking the sealed document (only its SM3 digest is computed; it is not kept)…", needSealed: "Choose the document and its seal signature file (.ses).",
    v_NOT_REGISTERED: "SEAL NOT REGISTERED", v_BAD_SIGNATURE: "BAD SIGNATURE", v_SIGNER_NOT_ALLOWED: "SIGNER NOT ALLOWED", v_MALFORMED: "UNREADABLE SIGNATURE",
    subUnknownSeal: "no log this node keeps registered this seal (absence is the node's word: evidence cannot prove it yet)",
    f_seal: "Seal id", f_sealName: "Seal name", f_owner: "Owner's code", f_registered: "Registered in", f_signer: "Signed by",
    f_signedAt: "Signed at (the signer's own statement)", f_sealReason: "Why", f_revocation: "Revocation reason", f_document: "Document", f_sm3: "Document SM3",
    bytes: "{n} bytes", "s_sealed-document": "sealed document", sealSignatureOnly: "this verdict follows from the seal signature itself; no ledger evidence is needed",
  },
};

const state = { lang: "zh", token: null, key: null, algorithm: null, session: null, view: null, use: null, stream: null };
const $ = (id) => document.getElementById(id);

function t(name, values) {
  let text = TEXT[state.lang][name] ?? TEXT.zh[name] ?? name;
  for (const [k, v] of Object.entries(values ?? {})) text = text.replaceAll(`{${k}}`, String(v));
  return text;
}

function applyLanguage() {
  document.documentElement.lang = state.lang === "zh" ? "zh-CN" : "en";
  document.title = `${t("title")} · 互认 Huren`;
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  const toggle = $("lang");
  toggle.textContent = t("lang");
  toggle.lang = t("langName");
  if (state.session) showSession();
  if (state.view) render(state.view);
}

// ---------- calling the node ----------

async function call(method, path, body, contentType) {
  const headers = {};
  if (state.token) headers.Authorization = `Bearer ${state.token}`;
  let payload = body;
  // A form goes as it is: the browser writes its multipart boundary.
  if (body !== undefined && !(body instanceof Blob) && !(body instanceof FormData)) { payload = JSON.stringify(body); headers["Content-Type"] = "application/json"; }
  else if (body instanceof Blob) headers["Content-Type"] = contentType || body.type || "application/octet-stream";
  const response = await fetch(`/counter/api/${path}`, { method, headers, body: payload, cache: "no-store" });
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = { error: text }; }
  if (response.status === 401 && state.token) { signedOut(t("sessionOver")); throw new Error(t("sessionOver")); }
  if (!response.ok) throw new Error(data?.error || `${response.status} ${response.statusText}`);
  return data;
}

function bytesToBase64(bytes) {
  let s = "";
  for (const b of new Uint8Array(bytes)) s += String.fromCharCode(b);
  return btoa(s);
}

function base64ToBytes(text) {
  const s = atob(text);
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  return bytes;
}

// ---------- the counter's key (WebCrypto; never leaves the browser) ----------

// DER: the tag, where the content starts and where the element ends.
function derElement(bytes, at) {
  const tag = bytes[at];
  let length = bytes[at + 1];
  let start = at + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count < 1 || count > 3) throw new Error(t("badKey"));
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[start + i];
    start += count;
  }
  if (start + length > bytes.length) throw new Error(t("badKey"));
  return { tag, start, end: start + length };
}

function derLength(length) {
  if (length < 0x80) return [length];
  if (length < 0x100) return [0x81, length];
  return [0x82, length >> 8, length & 0xff];
}

// WebCrypto reads only PKCS#8 v1 (RFC 5208). Key files may be v2 (RFC 5958: the public key after the private one, as
// BouncyCastle wrote Ed25519 keys before SigningKey wrote v1, and as other tools do): keep version, algorithm and
// private key, drop the rest.
function pkcs8V1(der) {
  const outer = derElement(der, 0);
  if (outer.tag !== 0x30) throw new Error(t("badKey"));
  const version = derElement(der, outer.start);
  const algorithm = derElement(der, version.end);
  const key = derElement(der, algorithm.end);
  if (version.tag !== 0x02 || algorithm.tag !== 0x30 || key.tag !== 0x04) throw new Error(t("badKey"));
  const body = [0x02, 0x01, 0x00, ...der.subarray(version.end, key.end)];
  return new Uint8Array([0x30, ...derLength(body.length), ...body]);
}

async function importKey(pem) {
  const match = /-----BEGIN PRIVATE KEY-----([\s\S]+?)-----END PRIVATE KEY-----/.exec(pem);
  if (!match) throw new Error(t("badKey"));
  const der = pkcs8V1(base64ToBytes(match[1].replace(/\s+/g, "")));
  for (const [algorithm, sign] of [[{ name: "Ed25519" }, { name: "Ed25519" }], [{ name: "ECDSA", namedCurve: "P-256" }, { name: "ECDSA", hash: "SHA-256" }]]) {
    try {
      const key = await crypto.subtle.importKey("pkcs8", der, algorithm, false, ["sign"]);
      return { key, sign };
    } catch { /* try the next algorithm */ }
  }
  throw new Error(t("badKey"));
}

async function sign(bytes) {
  return bytesToBase64(await crypto.subtle.sign(state.algorithm, state.key, bytes));
}

// ---------- sign-in ----------

async function signIn(event) {
  event.preventDefault();
  const error = $("login-error");
  error.textContent = "";
  const principal = $("principal").value.trim();
  const file = $("keyfile").files[0];
  if (!principal) { error.textContent = t("needPrincipal"); $("principal").focus(); return; }
  if (!file) { error.textContent = t("needKey"); $("keyfile").focus(); return; }
  const button = event.submitter;
  if (button) button.disabled = true;
  try {
    const imported = await importKey(await file.text());
    const challenge = await call("POST", "session/challenge", { principal });
    const signature = bytesToBase64(await crypto.subtle.sign(imported.sign, imported.key, new TextEncoder().encode(challenge.message)));
    const opened = await call("POST", "session", { principal, nonce: challenge.nonce, signature });
    state.token = opened.token;
    state.key = imported.key;
    state.algorithm = imported.sign;
    state.session = opened.session;
    $("keyfile").value = "";
    $("login").hidden = true;
    $("desk").hidden = false;
    $("signout").hidden = false;
    $("camera-box").hidden = !("BarcodeDetector" in window);
    showSession();
    $("query").focus();
  } catch (e) {
    error.textContent = e.message;
  } finally {
    if (button) button.disabled = false;
  }
}

function showSession() {
  const s = state.session;
  const ends = new Date(s.ends).toLocaleString(t("langName"));
  $("session-info").textContent = t("signedInAs", { p: s.principal, i: s.issuerId, t: ends });
  $("where").textContent = t("where", { city: `${s.node.city} ${s.node.cityName}`.trim(), origin: s.node.origin });
}

async function signOut() {
  try { await call("DELETE", "session"); } catch { /* ended anyway */ }
  signedOut("");
}

function signedOut(message) {
  stopCamera();
  Object.assign(state, { token: null, key: null, algorithm: null, session: null, view: null, use: null });
  $("desk").hidden = true;
  $("signout").hidden = true;
  $("login").hidden = false;
  $("result").hidden = true;
  $("where").textContent = "";
  $("slip").replaceChildren();
  $("login-error").textContent = message;
  $("principal").focus();
}

// ---------- asking ----------

async function ask(busyText, request) {
  $("ask-error").textContent = "";
  $("busy").textContent = busyText;
  try {
    const view = await request();
    state.use = null;
    render(view);
    $("verdict").focus();
  } catch (e) {
    $("ask-error").textContent = e.message;
  } finally {
    $("busy").textContent = "";
  }
}

function verifyQuery(event) {
  event.preventDefault();
  const query = $("query").value.trim();
  if (!query) { $("ask-error").textContent = t("needQuery"); $("query").focus(); return; }
  ask(t("busyVerify"), () => call("POST", "verify", { query }));
}

function verifyFile(input, path, busy) {
  const file = input.files[0];
  if (!file) return;
  ask(busy, () => call("POST", path, file)).finally(() => { input.value = ""; });
}

// The camera path uses the browser's BarcodeDetector where it exists (Android, ChromeOS, macOS); elsewhere the photo
// input (with capture="environment" it opens a phone's camera) sends the picture to the node, which decodes it.
async function startCamera() {
  const video = $("video");
  try {
    state.stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
  } catch (e) {
    $("ask-error").textContent = t("cameraNone", { e: e.message });
    return;
  }
  video.srcObject = state.stream;
  video.hidden = false;
  $("camera").hidden = true;
  $("camera-stop").hidden = false;
  $("busy").textContent = t("busyCamera");
  await video.play();
  const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
  const look = async () => {
    if (!state.stream) return;
    try {
      const codes = await detector.detect(video);
      if (codes.length > 0) {
        const query = codes[0].rawValue;
        stopCamera();
        $("query").value = query;
        ask(t("busyVerify"), () => call("POST", "verify", { query, source: "camera" }));
        return;
      }
    } catch { /* the next frame may do */ }
    setTimeout(look, 250);
  };
  look();
}

function stopCamera() {
  if (state.stream) for (const track of state.stream.getTracks()) track.stop();
  state.stream = null;
  $("video").hidden = true;
  $("camera-stop").hidden = true;
  $("camera").hidden = false;
  $("busy").textContent = "";
}

// The document goes to this node, which computes its SM3 as it arrives and keeps nothing of it (browsers have no SM3).
function verifySealed() {
  const sealed = $("sealed-document").files[0];
  const signature = $("sealed-signature").files[0];
  if (!sealed || !signature) { $("ask-error").textContent = t("needSealed"); (sealed ? $("sealed-signature") : $("sealed-document")).focus(); return; }
  const form = new FormData();
  form.append("document", sealed);
  form.append("signature", signature);
  ask(t("busySealed"), () => call("POST", "verify/sealed-document", form));
}

// ---------- showing an answer ----------

function verdictWord(view) {
  if (view.status === "not-verified") return t("notVerified");
  if (view.status === "unknown") return t("v_UNKNOWN");
  const word = view.revocationCode ? t(`v_REVOKED_${view.revocationCode}`) : t(`v_${view.verdict}`);
  return view.status === "not-final" ? `${t("notFinal")} · ${word}` : word;
}

function verdictClass(view) {
  if (view.status === "not-verified") return "not-verified";
  if (view.status === "unknown") return "unknown";
  if (view.status === "not-final") return "not-final";
  return view.verdict.toLowerCase();
}

function mainCheckpoint(view) {
  const cps = view.evidence?.checkpoints ?? [];
  return cps.find((c) => c.origin === (view.license?.origin ?? view.seal?.origin)) ?? cps[0];
}

function evidenceLine(view) {
  if (!view.evidence && view.seal && view.status === "believed") return { text: t("sealSignatureOnly"), bad: false };
  if (!view.evidence) return { text: view.status === "unknown" ? "" : t("evidenceNone"), bad: true };
  const cp = mainCheckpoint(view);
  const values = { v: view.evidence.networkVersion, k: cp?.cosignatures ?? 0, n: cp?.witnesses ?? 0, t: cp?.threshold ?? 0 };
  if (view.status === "believed") return { text: t("evidenceOk", values), bad: false };
  if (view.status === "not-final") return { text: t("evidenceNotFinal", values), bad: true };
  return { text: t("evidenceBad", { f: view.failure }), bad: true };
}

function sealFacts(view) {
  const rows = [];
  const seal = view.seal;
  if (seal) {
    rows.push([t("f_seal"), seal.sealId], [t("f_sealName"), seal.sealName], [t("f_signer"), seal.signer],
      [t("f_signedAt"), seal.signedAt ? new Date(seal.signedAt).toLocaleString(t("langName")) : "—"]);
    if (seal.ownerCode) rows.push([t("f_owner"), seal.ownerCode]);
    if (seal.origin) rows.push([t("f_registered"), `${seal.origin} · ${seal.issuerId}`]);
    if (seal.reason) rows.push([t("f_sealReason"), seal.reason]);
    if (seal.revocationReason) rows.push([t("f_revocation"), seal.revocationReason]);
  }
  const d = view.document;
  if (d) rows.push([t("f_document"), `${d.name} (${t("bytes", { n: d.bytes })})`], [t("f_sm3"), d.sm3]);
  return rows;
}

function licenseFacts(view) {
  const l = view.license;
  if (l) {
    return [[t("f_license"), l.licenseId], [t("f_name"), l.name], [t("f_type"), `${l.typeName || ""} ${l.typeCode}`.trim()], [t("f_holder"), l.holderName],
      [t("f_issuer"), `${l.issuingAuthority} (${l.issuingAuthorityCode}), ${l.issueDate}`],
      [t("f_validity"), `${l.validFrom || "—"} – ${l.validUntil || t("noEnd")}`], [t("f_log"), `${l.origin} · ${l.issuerId}`]];
  }
  return view.asked ? [[t("f_license"), view.reference?.licenseId ?? view.asked]] : [];
}

function facts(view) {
  const rows = view.source === "sealed-document" ? sealFacts(view) : licenseFacts(view);
  if (view.nodeVerdict && view.status !== "believed") rows.push([t("f_reason"), t("nodeSays", { v: view.nodeVerdict, r: view.nodeReason ?? "" })]);
  if (view.reference) rows.push([t("f_reference"), `${view.reference.origin} #${view.reference.index} · ${view.reference.proven ? t("refProven") : t("refNotProven")}`]);
  rows.push([t("f_asked"), `${view.node.city} ${view.node.cityName} · ${view.node.origin}`.trim()], [t("f_source"), t(`s_${view.source}`)],
    [t("f_counter"), `${view.node.principal} (${view.node.issuerId})`], [t("f_time"), new Date(view.answeredAt).toLocaleString(t("langName"))]);
  return rows;
}

function fillList(list, rows) {
  list.replaceChildren();
  for (const [name, value] of rows) {
    const dt = document.createElement("dt");
    dt.textContent = name;
    const dd = document.createElement("dd");
    dd.textContent = value;
    list.append(dt, dd);
  }
}

function table(headers, rows) {
  const el = document.createElement("table");
  const head = el.createTHead().insertRow();
  for (const h of headers) { const th = document.createElement("th"); th.scope = "col"; th.textContent = h; head.append(th); }
  const body = el.createTBody();
  for (const row of rows) { const tr = body.insertRow(); for (const cell of row) tr.insertCell().textContent = cell; }
  return el;
}

function renderEvidence(view) {
  const box = $("evidence-body");
  box.replaceChildren();
  const e = view.evidence;
  $("evidence").hidden = !e;
  if (!e) return;
  if (!e.verified) { const p = document.createElement("p"); p.className = "warning"; p.textContent = t("e_unverified"); box.append(p); }
  const summary = document.createElement("dl");
  summary.className = "facts";
  fillList(summary, [[t("e_network"), `${e.networkId} v${e.networkVersion}`], [t("e_statusProofs"), String(e.statusProofs)],
    ...(e.createdAt ? [[t("e_created"), new Date(e.createdAt).toLocaleString(t("langName"))]] : [])]);
  const cpTitle = document.createElement("h3"); cpTitle.textContent = t("e_checkpoints");
  const cps = table([t("e_origin"), t("e_size"), t("e_cosig"), t("e_final"), t("e_newest")], e.checkpoints.map((c) => [
    `${c.city} · ${c.origin}`, String(c.size), `${c.cosignatures} / ${c.witnesses} (≥ ${c.threshold})`, c.final ? t("e_yes") : t("e_no"),
    c.newestCosignature ? new Date(c.newestCosignature).toLocaleString(t("langName")) : "—"]));
  const enTitle = document.createElement("h3"); enTitle.textContent = t("e_entries");
  const entries = table([t("e_origin"), t("e_index"), t("e_kind"), t("e_summary")], e.entries.map((x) => [x.origin, String(x.index), x.kind, x.summary]));
  const link = document.createElement("a");
  link.textContent = t("e_download");
  link.download = `evidence-${view.license?.licenseId ?? view.seal?.sealId ?? "bundle"}.json`;
  link.href = URL.createObjectURL(new Blob([e.bundle], { type: "application/json" }));
  const pre = document.createElement("pre");
  pre.textContent = e.bundle;
  pre.tabIndex = 0;
  pre.setAttribute("aria-label", t("evidenceDetails"));
  box.append(summary, cpTitle, cps, enTitle, entries, link, pre);
}

function render(view) {
  state.view = view;
  $("result").hidden = false;
  const box = $("verdict-box");
  box.className = `verdict ${verdictClass(view)}`;
  $("verdict").textContent = verdictWord(view);
  $("verdict-sub").textContent = view.status === "believed" ? t("subBelieved")
    : view.status === "not-final" ? t("subNotFinal", { v: view.verdict })
    : view.status === "unknown" ? t(view.source === "sealed-document" ? "subUnknownSeal" : "subUnknown")
    : t("subNotVerified", { f: view.failure });
  fillList($("facts"), facts(view));
  const line = evidenceLine(view);
  $("evidence-line").textContent = line.text;
  $("evidence-line").className = `evidence-line${line.bad ? " bad" : ""}`;
  $("evidence-line").hidden = !line.text;
  renderEvidence(view);
  $("use-open").hidden = !view.canRecordUse;
  $("use-form").hidden = true;
  renderUseResult();
  renderSlip(view);
}

function renderUseResult() {
  const use = state.use;
  $("use-result").textContent = use ? t("useDone", { origin: use.origin, index: use.index, hash: use.leafHash.slice(0, 16), p: use.principal }) : "";
}

function renderSlip(view) {
  const slip = $("slip");
  slip.replaceChildren();
  const h = document.createElement("h1");
  h.textContent = `${t("slipTitle")} · 互认 Huren`;
  const verdict = document.createElement("p");
  verdict.className = "slip-verdict";
  verdict.textContent = verdictWord(view);
  const sub = document.createElement("p");
  sub.textContent = $("verdict-sub").textContent;
  const list = document.createElement("dl");
  const rows = facts(view);
  const line = evidenceLine(view);
  if (line.text) rows.push([t("e_network"), line.text]);
  if (state.use) rows.push([t("slipUse"), t("useDone", { origin: state.use.origin, index: state.use.index, hash: state.use.leafHash.slice(0, 16), p: state.use.principal })]);
  fillList(list, rows);
  const foot = document.createElement("p");
  foot.className = "slip-foot";
  foot.textContent = t("slipFoot", { origin: view.node.origin });
  slip.append(h, verdict, sub, list, foot);
}

// ---------- recording a use (用证留痕) ----------

function openUse() {
  const view = state.view;
  $("use-form").hidden = false;
  $("use-error").textContent = "";
  $("reason-field").hidden = !view.useNeedsReason;
  $("reason").required = view.useNeedsReason;
  $("use-warning").hidden = !view.useNeedsReason;
  $("use-warning").textContent = view.useNeedsReason ? t("useNeedsReason", { v: verdictWord(view) }) : "";
  $("matter-code").focus();
}

async function recordUse(event) {
  event.preventDefault();
  const view = state.view;
  const error = $("use-error");
  error.textContent = "";
  const matterCode = $("matter-code").value.trim();
  const matterName = $("matter-name").value.trim();
  const reason = $("reason").value.trim();
  if (!matterCode || !matterName) { error.textContent = t("needMatter"); (matterCode ? $("matter-name") : $("matter-code")).focus(); return; }
  if (view.useNeedsReason && !reason) { error.textContent = t("needReason"); $("reason").focus(); return; }
  const licenseId = view.license.licenseId;
  $("busy").textContent = t("busySign");
  try {
    const prepared = await call("POST", "uses/prepare", { licenseId, matterCode, matterName, reason, businessSerial: $("serial").value.trim() });
    const signature = await sign(base64ToBytes(prepared.entry));
    state.use = await call("POST", "uses", { useId: prepared.useId, signature });
    $("use-form").hidden = true;
    renderUseResult();
    renderSlip(view);
    $("use-result").focus?.();
  } catch (e) {
    error.textContent = e.message;
  } finally {
    $("busy").textContent = "";
  }
}

// ---------- wiring ----------

document.addEventListener("DOMContentLoaded", () => {
  state.lang = localStorage.getItem("huren.counter.lang") === "en" ? "en" : "zh";
  applyLanguage();
  $("lang").addEventListener("click", () => {
    state.lang = state.lang === "zh" ? "en" : "zh";
    localStorage.setItem("huren.counter.lang", state.lang);
    applyLanguage();
  });
  $("login-form").addEventListener("submit", signIn);
  $("signout").addEventListener("click", signOut);
  $("ask-form").addEventListener("submit", verifyQuery);
  $("photo").addEventListener("change", () => verifyFile($("photo"), "verify/photo", t("busyPhoto")));
  $("bundle").addEventListener("change", () => verifyFile($("bundle"), "verify/bundle", t("busyBundle")));
  $("camera").addEventListener("click", startCamera);
  $("camera-stop").addEventListener("click", stopCamera);
  $("sealed-verify").addEventListener("click", verifySealed);
  $("print").addEventListener("click", () => window.print());
  $("use-open").addEventListener("click", openUse);
  $("use-cancel").addEventListener("click", () => { $("use-form").hidden = true; $("use-open").focus(); });
  $("use-form").addEventListener("submit", recordUse);
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && state.stream) stopCamera();
    // "/" jumps to the question box, as on many search pages.
    if (e.key === "/" && state.token && document.activeElement?.tagName !== "INPUT") { e.preventDefault(); $("query").focus(); }
  });
  $("principal").focus();
});
