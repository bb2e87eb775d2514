// The dashboard reads only the public API with the caller's own token, so it can never show more than the API would
// (ADR 24). No inline script or style anywhere: the service's CSP allows only its own origin.
'use strict';

(() => {
  const TOKEN_KEY = 'cooperation.token';
  const LANG_KEY = 'cooperation.lang';

  const TEXT = {
    de: {
      title: 'Cooperation – Kennzahlen und Abrechnung', sessionNav: 'Sprache und Sitzung',
      kpiTable: 'Tabelle der Kennzahlen', documentsTable: 'Tabelle der Rechnungen', reconciliationTable: 'Tabelle der Jahresabstimmung', otherLanguage: 'English',
      otherLanguageName: 'en', signOut: 'Abmelden',
      signInTitle: 'Anmelden', signInHelp: 'Fügen Sie Ihr Zugriffstoken (Bearer-Token) ein. Es wird nur für diese Browsersitzung gespeichert.',
      tokenLabel: 'Zugriffstoken', signIn: 'Anmelden', pickTitle: 'Auswahl', contract: 'Vertrag', quarter: 'Quartal',
      asOf: 'Stand am (Ortszeit)', compare: 'Stand vergleichen', showNow: 'Nur aktueller Stand',
      kpiTitle: 'Kennzahlen {q}', downloadCsv: 'Bericht als CSV', costTitle: 'Kosten', trendTitle: 'Verlauf über alle Quartale',
      figure: 'Kennzahl', total: 'Gesamt', target: 'Ziel', status: 'Status', met: 'erreicht', missed: 'verfehlt', notMeasurable: 'nicht messbar',
      then: 'Stand {t}', thenShort: 'damals', now: 'jetzt', changed: 'geändert',
      offered: 'Angebotene Anrufe', answered: 'Angenommen', abandoned: 'Aufgelegt', shortAbandons: 'Kurz aufgelegt',
      offeredOutsideHours: 'Außerhalb der Servicezeit', reachability: 'Erreichbarkeit (%)', serviceLevel: 'Servicelevel (%)',
      averageSpeedOfAnswerSeconds: 'Mittlere Wartezeit (s)', fcr: 'Erstlösungsquote (%)', referralRate: 'Weiterleitungsquote (%)',
      referralsOpened: 'Weiterleitungen', referralsInTime: 'Weiterleitungen binnen 24 Servicestunden beantwortet (%)',
      appointmentsBooked: 'Gebuchte Termine', correctedCalls: 'Korrigierte Anrufe',
      feeDue: 'Entgelt des Quartals', perOffered: 'je angebotenem Anruf', perAnswered: 'je angenommenem Anruf', perSettled: 'je abschließend erledigtem Anruf',
      daysCaption: 'Angebotene und angenommene Anrufe je Tag, {q}', offeredSeries: 'angeboten', answeredSeries: 'angenommen',
      targetSeries: 'Ziel', totalSeries: 'Gesamt',
      billingTitle: 'Rechnungen und Zahlungen {y}', reconciliationTitle: 'Jahresabstimmung {y}',
      number: 'Nummer', kind: 'Art', issuedOn: 'Ausgestellt', dueOn: 'Fällig', amount: 'Betrag', paid: 'Bezahlt', balance: 'Offen',
      payments: 'Zahlungen', download: 'XRechnung', downloadLabel: 'XRechnung {n} herunterladen',
      invoice: 'Rechnung', 'supplementary-invoice': 'Nachberechnung', 'credit-note': 'Gutschrift',
      open: 'offen', 'status-paid': 'bezahlt', overpaid: 'überzahlt', cancelled: 'storniert', issued: 'ausgestellt',
      invoiced: 'Berechnet', credited: 'Gutgeschrieben', refunded: 'Erstattet', openBalance: 'Offener Saldo', year: 'Jahr',
      noDocuments: 'Für dieses Jahr ist noch nichts berechnet.', billingForbidden: 'Rechnungen sehen nur Finanzen und Prüfung; Ihr Token hat diese Rolle nicht.',
      noContracts: 'Dieses Token erreicht keinen Vertrag.', refused401: 'Das Token wurde abgelehnt (401): abgelaufen, falsch oder nicht für diesen Dienst. Bitte neu anmelden.',
      refused403: 'Ihr Token darf diese Berichte nicht lesen (403). Berichte sehen Finanzen, Prüfung und Vertragsverwaltung.',
      refused404: 'Nicht gefunden (404): {d}', failed: 'Die Anfrage ist fehlgeschlagen ({s}): {d}', asOfInvalid: 'Bitte Datum und Uhrzeit angeben.',
      asOfNote: 'Links der Stand am {t}, rechts der Stand jetzt; geänderte Werte sind markiert.', nowNote: 'Stand jetzt (bis Ereignis {s}).',
      quarterName: '{n}. Quartal {y}', none: '–', network: 'Netzwerk',
      notBegun: 'Dieser Vertrag beginnt erst am {d}: es gibt noch kein Quartal zu berichten.',
      nothingThen: 'Zum Stand {t} war von diesem Quartal nichts bekannt: {d}', pageError: 'Fehler der Seite: {d}',
    },
    en: {
      title: 'Cooperation – KPIs and billing', sessionNav: 'Language and session',
      kpiTable: 'Table of KPIs', documentsTable: 'Table of invoices', reconciliationTable: 'Table of the reconciliation', otherLanguage: 'Deutsch',
      otherLanguageName: 'de', signOut: 'Sign out',
      signInTitle: 'Sign in', signInHelp: 'Paste your bearer token. It is kept for this browser session only.',
      tokenLabel: 'Bearer token', signIn: 'Sign in', pickTitle: 'Selection', contract: 'Contract', quarter: 'Quarter',
      asOf: 'As known at (local time)', compare: 'Compare', showNow: 'Now only',
      kpiTitle: 'KPIs {q}', downloadCsv: 'Report as CSV', costTitle: 'Cost', trendTitle: 'Trend over all quarters',
      figure: 'Figure', total: 'Total', target: 'Target', status: 'Status', met: 'met', missed: 'missed', notMeasurable: 'not measurable',
      then: 'as at {t}', thenShort: 'then', now: 'now', changed: 'changed',
      offered: 'Calls offered', answered: 'Answered', abandoned: 'Abandoned', shortAbandons: 'Short abandons',
      offeredOutsideHours: 'Outside service hours', reachability: 'Reachability (%)', serviceLevel: 'Service level (%)',
      averageSpeedOfAnswerSeconds: 'Average speed of answer (s)', fcr: 'First-contact resolution (%)', referralRate: 'Referral rate (%)',
      referralsOpened: 'Referrals', referralsInTime: 'Referrals answered within 24 service hours (%)',
      appointmentsBooked: 'Appointments booked', correctedCalls: 'Corrected calls',
      feeDue: 'Fee due for the quarter', perOffered: 'per offered call', perAnswered: 'per answered call', perSettled: 'per settled call',
      daysCaption: 'Calls offered and answered per day, {q}', offeredSeries: 'offered', answeredSeries: 'answered',
      targetSeries: 'target', totalSeries: 'total',
      billingTitle: 'Invoices and payments {y}', reconciliationTitle: 'Annual reconciliation {y}',
      number: 'Number', kind: 'Kind', issuedOn: 'Issued', dueOn: 'Due', amount: 'Amount', paid: 'Paid', balance: 'Open',
      payments: 'Payments', download: 'XRechnung', downloadLabel: 'Download XRechnung {n}',
      invoice: 'Invoice', 'supplementary-invoice': 'Supplementary invoice', 'credit-note': 'Credit note',
      open: 'open', 'status-paid': 'paid', overpaid: 'overpaid', cancelled: 'cancelled', issued: 'issued',
      invoiced: 'Invoiced', credited: 'Credited', refunded: 'Refunded', openBalance: 'Open balance', year: 'Year',
      noDocuments: 'Nothing has been invoiced for this year yet.', billingForbidden: 'Only finance and auditors see invoices; your token has neither role.',
      noContracts: 'This token reaches no contract.', refused401: 'The token was refused (401): expired, wrong, or not for this service. Please sign in again.',
      refused403: 'Your token may not read these reports (403). Finance, auditors and contract administrators may.',
      refused404: 'Not found (404): {d}', failed: 'The request failed ({s}): {d}', asOfInvalid: 'Please give a date and a time.',
      asOfNote: 'Left: as known at {t}; right: now. Changed figures are marked.', nowNote: 'As known now (up to event {s}).',
      quarterName: 'Q{n} {y}', none: '–', network: 'network',
      notBegun: 'This contract begins on {d}: there is no quarter to report yet.',
      nothingThen: 'Nothing of this quarter was known at {t}: {d}', pageError: 'The page failed: {d}',
    },
  };

  // The KPI rows: field, label, and for percentages with a target the setting and the met flag.
  const ROWS = [
    ['offered', 'offered'], ['answered', 'answered'], ['abandoned', 'abandoned'], ['shortAbandons', 'shortAbandons'],
    ['offeredOutsideHours', 'offeredOutsideHours'], ['reachabilityPercent', 'reachability', 'pct'],
    ['serviceLevelPercent', 'serviceLevel', 'pct', 'serviceLevelTargetPercent', 'serviceLevelMet'],
    ['averageSpeedOfAnswerSeconds', 'averageSpeedOfAnswerSeconds', 'dec'],
    ['firstContactResolutionPercent', 'fcr', 'pct', 'firstContactResolutionTargetPercent', 'firstContactResolutionMet'],
    ['referralRatePercent', 'referralRate', 'pct'], ['referralsOpened', 'referralsOpened'],
    ['referralsAnsweredWithin24ServiceHoursPercent', 'referralsInTime', 'pct'],
    ['appointmentsBooked', 'appointmentsBooked'], ['correctedCalls', 'correctedCalls'],
  ];

  const state = { lang: 'de', token: null, contracts: [], contractId: null, trend: [], quarter: null, asOf: null, charts: {}, ready: false };
  const $ = (id) => document.getElementById(id);

  class Refused extends Error {
    constructor(status, detail) { super(detail); this.status = status; }
  }

  // ---- text and formats ----
  const t = (key, args = {}) => (TEXT[state.lang][key] ?? key).replace(/\{(\w+)\}/g, (_, k) => args[k] ?? '');
  const locale = () => (state.lang === 'de' ? 'de-DE' : 'en-GB');
  const number = (v, digits = 0) => (v === null || v === undefined ? t('none')
    : new Intl.NumberFormat(locale(), { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(v));
  const money = (v) => (v === null || v === undefined ? t('none')
    : new Intl.NumberFormat(locale(), { style: 'currency', currency: 'EUR' }).format(v));
  const date = (iso) => (iso ? new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(`${iso}T00:00:00Z`)) : t('none'));
  const instant = (d) => new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'medium' }).format(d);
  const quarterName = (r) => t('quarterName', { n: r.quarter, y: r.year });
  const quarterKey = (r) => `${r.year}-${r.quarter}`;
  const shortQuarter = (r) => `Q${r.quarter}/${String(r.year).slice(2)}`;
  const lineName = (code) => state.contracts.find((c) => c.contractId === state.contractId)?.serviceLines.find((l) => l.code === code)?.name ?? code;
  const format = (value, kind) => (kind === 'pct' || kind === 'dec' ? number(value, 2) : number(value));

  function el(tag, attributes = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
      if (value === null || value === undefined || value === false) continue;
      if (name === 'class') node.className = value;
      else if (name === 'text') node.textContent = value;
      else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? '' : value);
    }
    for (const child of children.flat()) {
      if (child !== null && child !== undefined) node.append(child);
    }
    return node;
  }

  function applyText() {
    document.documentElement.lang = state.lang;
    document.title = t('title');
    document.querySelectorAll('[data-t]').forEach((n) => { n.textContent = t(n.dataset.t); });
    document.querySelectorAll('[data-t-aria]').forEach((n) => n.setAttribute('aria-label', t(n.dataset.tAria)));
    const other = $('language');
    other.textContent = t('otherLanguage');
    other.setAttribute('lang', t('otherLanguageName'));
  }

  // ---- the API ----
  async function api(path, accept = 'application/json') {
    const response = await fetch(path, { headers: { Authorization: `Bearer ${state.token}`, Accept: accept }, cache: 'no-store' });
    if (response.ok) return accept === 'application/json' ? response.json() : response.blob();
    let detail = response.statusText;
    try { detail = (await response.json()).detail ?? detail; } catch { /* not problem details */ }
    throw new Refused(response.status, detail);
  }

  function show(message) {
    const box = $('message');
    box.textContent = message ?? '';
    box.hidden = !message;
  }

  function explain(error) {
    if (error instanceof TypeError && /fetch/i.test(error.message)) return t('failed', { s: t('network'), d: error.message });
    if (!(error instanceof Refused)) return t('pageError', { d: error.message });
    if (error.status === 401) return t('refused401');
    if (error.status === 403) return t('refused403');
    if (error.status === 404) return t('refused404', { d: error.message });
    return t('failed', { s: error.status, d: error.message });
  }

  function fail(error) {
    markReady();
    if (error instanceof Refused && error.status === 401) {
      signOut();
    }
    show(explain(error));
  }

  async function download(path, accept, fileName) {
    try {
      const blob = await api(path, accept);
      const link = el('a', { href: URL.createObjectURL(blob), download: fileName });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    } catch (error) {
      fail(error);
    }
  }

  // ---- sign-in ----
  function takeTokenFromLink() {
    const match = /(?:^#|&)token=([^&]+)/.exec(location.hash);
    if (match) {
      try {
        sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(match[1]));
      } catch {
        sessionStorage.removeItem(TOKEN_KEY); // a malformed link: sign in by hand
      }
      history.replaceState(null, '', location.pathname + location.search);
    }
  }

  function signOut() {
    sessionStorage.removeItem(TOKEN_KEY);
    state.token = null;
    latest++;
    latestContract++;
    state.contracts = [];
    state.trend = [];
    state.quarter = null;
    state.contractId = null;
    clearFigures(true);
    $('dashboard').hidden = true;
    $('sign-out').hidden = true;
    $('sign-in').hidden = false;
  }

  async function start() {
    state.token = sessionStorage.getItem(TOKEN_KEY);
    if (!state.token) {
      signOut();
      markReady();
      return;
    }
    $('sign-in').hidden = true;
    $('sign-out').hidden = false;
    try {
      state.contracts = await api('/api/contracts?limit=1000');
      if (state.contracts.length === 0) {
        show(t('noContracts'));
        markReady();
        return;
      }
      const select = $('contract');
      select.replaceChildren(...state.contracts.map((c) => el('option', { value: c.contractId, text: `${c.contractId} (${c.client.name})` })));
      // The first contract that has begun; one signed for later has no quarter to show yet.
      await pickContract((state.contracts.find((c) => c.startsOn <= berlinToday()) ?? state.contracts[0]).contractId);
    } catch (error) {
      fail(error);
    }
  }

  // ---- a contract and a quarter ----
  // Each pick takes a ticket; answers that arrive for an older one are dropped, so a slow answer never overwrites
  // what the user picked since. A contract's trend has a ticket of its own: a render in the meantime does not drop it.
  let latest = 0;
  let latestContract = 0;

  const berlinToday = () => {
    const parts = Object.fromEntries(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', year: 'numeric', month: '2-digit', day: '2-digit' })
      .formatToParts(new Date()).map((p) => [p.type, p.value]));
    return `${parts.year}-${parts.month}-${parts.day}`;
  };

  async function pickContract(contractId) {
    const ticket = ++latestContract;
    latest++; // answers to the earlier contract's picks are dropped
    $('contract').value = contractId;
    $('quarter').disabled = true;
    $('dashboard').dataset.state = 'loading';
    let trend;
    try {
      trend = await api(`/api/reports/quarterly/${encodeURIComponent(contractId)}`);
    } catch (error) {
      if (ticket !== latestContract) return;
      state.trend = [];
      state.quarter = null;
      clearFigures(true);
      $('dashboard').dataset.state = 'error';
      fail(error);
      return;
    }
    if (ticket !== latestContract) return;
    state.contractId = contractId;
    state.trend = trend;
    state.quarter = null;
    fillQuarters();
    $('quarter').disabled = false;
    if (trend.length === 0) {
      const contract = state.contracts.find((c) => c.contractId === contractId);
      clearFigures(true);
      $('dashboard').hidden = false;
      show(t('notBegun', { d: date(contract?.startsOn) }));
      $('dashboard').dataset.state = 'ready';
      markReady();
      return;
    }
    // The last ended quarter by Berlin's calendar (the one most likely billed), else the current one.
    const ended = trend.filter((r) => r.to < berlinToday());
    drawTrend();
    await pickQuarter(quarterKey((ended.length > 0 ? ended : trend).at(-1)));
  }

  function fillQuarters() {
    $('quarter').replaceChildren(...state.trend.map((r) => el('option', { value: quarterKey(r), text: quarterName(r) })).reverse());
    if (state.quarter) $('quarter').value = quarterKey(state.quarter);
  }

  async function pickQuarter(key) {
    state.quarter = state.trend.find((r) => quarterKey(r) === key);
    $('quarter').value = key;
    await render();
  }

  async function render() {
    if (!state.quarter) return;
    const ticket = ++latest;
    const { contractId, quarter: r, asOf } = state;
    $('dashboard').dataset.state = 'loading';
    const base = `/api/reports/quarterly/${encodeURIComponent(contractId)}/${r.year}/${r.quarter}`;
    const refusedAs = (statuses, value) => (error) => (error instanceof Refused && statuses.includes(error.status) ? value(error) : Promise.reject(error));
    try {
      // One request each, in parallel: the report now, as known then, the days, the year's documents and its reconciliation.
      const [now, then, days, documents, reconciliation] = await Promise.all([
        api(base),
        asOf ? api(`${base}?asOf=${encodeURIComponent(asOf.toISOString())}`).catch(refusedAs([404, 409], (e) => ({ refused: e }))) : null,
        api(`${base}/days`),
        api(`/api/invoices?contractId=${encodeURIComponent(contractId)}&year=${r.year}&limit=1000`).catch(refusedAs([403], () => 'forbidden')),
        api(`/api/reconciliation/${encodeURIComponent(contractId)}/${r.year}`).catch(refusedAs([403], () => 'forbidden')),
      ]);
      if (ticket !== latest) return;
      // Nothing was known of the quarter then (the contract or its events came later): said, and now shown alone.
      show(then?.refused ? t('nothingThen', { t: instant(asOf), d: explain(then.refused) }) : null);
      const known = then?.refused ? null : then;
      $('dashboard').hidden = false;
      drawKpis(now, known);
      drawCost(now, known);
      drawDays(days, r);
      drawBilling(documents, reconciliation, r.year);
      $('dashboard').dataset.state = 'ready';
      markReady();
    } catch (error) {
      if (ticket !== latest) return;
      clearFigures();
      $('dashboard').dataset.state = 'error';
      fail(error);
    }
  }

  /** Empties the quarter's blocks (and with <trend> the contract's charts), so no figure of an earlier pick stays. */
  function clearFigures(trend = false) {
    $('kpi-title').textContent = state.quarter ? t('kpiTitle', { q: quarterName(state.quarter) }) : '';
    for (const id of ['kpi-note', 'days-caption', 'billing-title', 'reconciliation-title']) $(id).textContent = '';
    for (const id of ['kpis', 'cost', 'documents', 'reconciliation']) $(id).replaceChildren();
    $('billing-note').hidden = true;
    for (const id of Object.keys(state.charts)) {
      if (trend || id === 'chart-days') {
        state.charts[id].destroy();
        delete state.charts[id];
      }
    }
  }

  function markReady() {
    if (!state.ready) {
      state.ready = true;
      performance.mark('dashboard-ready');
    }
  }

  // ---- KPI table ----
  function drawKpis(now, then) {
    $('kpi-title').textContent = t('kpiTitle', { q: quarterName(now) });
    $('kpi-note').textContent = then
      ? t('asOfNote', { t: instant(state.asOf) })
      : t('nowNote', { s: now.current ? number(now.current.upToSequence) : t('none') });
    const columns = [...now.serviceLines.map((l) => ({ key: l.code, label: lineName(l.code) })), { key: 'total', label: t('total') }];
    const figuresOf = (report, key) => (key === 'total' ? report.total : report.serviceLines.find((l) => l.code === key) ?? {});
    // With a comparison, each column has two under one heading: then and now.
    const span = then ? 2 : 1;
    const heads = [
      el('th', { scope: 'col', rowspan: span, text: t('figure') }),
      ...columns.map((c) => el('th', { scope: then ? 'colgroup' : 'col', colspan: span, text: c.label })),
      el('th', { scope: 'col', rowspan: span, text: t('target') }),
      el('th', { scope: 'col', rowspan: span, text: t('status') }),
    ];
    const under = then ? columns.flatMap((c) => [
      el('th', { scope: 'col', 'aria-label': `${c.label}, ${t('then', { t: instant(state.asOf) })}`, text: t('thenShort') }),
      el('th', { scope: 'col', 'aria-label': `${c.label}, ${t('now')}`, text: t('now') }),
    ]) : [];

    const rows = ROWS.map(([field, label, kind, target, met]) => {
      const cells = [el('th', { scope: 'row', text: t(label) })];
      for (const c of columns) {
        const current = figuresOf(now, c.key)[field];
        if (then) {
          const before = figuresOf(then, c.key)[field];
          const changed = before !== current;
          cells.push(el('td', { 'data-field': `${c.key}.${field}`, 'data-when': 'then', text: format(before, kind) }));
          cells.push(el('td', { 'data-field': `${c.key}.${field}`, 'data-when': 'now', class: changed ? 'changed' : null },
            format(current, kind), changed ? el('span', { class: 'visually-hidden', text: ` (${t('changed')})` }) : null));
        } else {
          cells.push(el('td', { 'data-field': `${c.key}.${field}`, 'data-when': 'now', text: format(current, kind) }));
        }
      }
      cells.push(el('td', { text: target ? number(now.settings[target], 2) : '' }));
      cells.push(el('td', {}, met ? badge(now.total[met], `total.${met}`) : ''));
      return el('tr', {}, cells);
    });
    $('kpis').replaceChildren(el('thead', {}, el('tr', {}, heads), then ? el('tr', {}, under) : null), el('tbody', {}, rows));
  }

  function badge(met, field) {
    const kind = met === true ? 'met' : met === false ? 'missed' : 'none';
    const words = { met: t('met'), missed: t('missed'), none: t('notMeasurable') }[kind];
    return el('span', { class: `badge ${kind}`, 'data-field': field, 'data-value': String(met), text: words });
  }

  function drawCost(now, then) {
    const items = [['feeDue', 'feeDue'], ['perOfferedCall', 'perOffered'], ['perAnsweredCall', 'perAnswered'], ['perSettledCall', 'perSettled']];
    $('cost').replaceChildren(...items.map(([field, label]) => {
      const value = now.cost[field];
      const before = then?.cost[field];
      const changed = then && before !== value;
      return el('div', {},
        el('dt', { text: t(label) }),
        el('dd', { 'data-field': `cost.${field}`, class: changed ? 'changed' : null }, money(value),
          changed ? el('small', { text: ` (${t('thenShort')}: ${money(before)})` }) : null));
    }));
  }

  // ---- charts (Chart.js from wwwroot/lib, installed by the build) ----
  function chart(id, config, label) {
    state.charts[id]?.destroy();
    const canvas = $(id);
    canvas.setAttribute('aria-label', label);
    state.charts[id] = new Chart(canvas, config);
  }

  const palette = ['#0a4f8a', '#b35c00', '#0b6b2f', '#6b3fa0'];

  function lineChart(id, field, label, targetSetting) {
    const labels = state.trend.map(shortQuarter);
    const lineCodes = [...new Set(state.trend.flatMap((r) => r.serviceLines.map((l) => l.code)))];
    const datasets = [
      { label: t('totalSeries'), data: state.trend.map((r) => r.total[field]), borderColor: palette[0], backgroundColor: palette[0], borderWidth: 3 },
      ...lineCodes.map((code, i) => ({
        label: lineName(code), data: state.trend.map((r) => r.serviceLines.find((l) => l.code === code)?.[field] ?? null),
        borderColor: palette[(i + 1) % palette.length], backgroundColor: palette[(i + 1) % palette.length], borderWidth: 1.5,
      })),
    ];
    if (targetSetting) {
      datasets.push({
        label: t('targetSeries'), data: state.trend.map((r) => r.settings[targetSetting]), borderColor: '#a3141d',
        backgroundColor: '#a3141d', borderDash: [6, 4], pointRadius: 0, borderWidth: 1.5,
      });
    }
    chart(id, {
      type: 'line',
      data: { labels, datasets },
      options: {
        animation: false, maintainAspectRatio: false, spanGaps: false, locale: locale(),
        scales: { y: { suggestedMin: 0, suggestedMax: 100 } },
      },
    }, `${label}: ${state.trend.map((r) => `${quarterName(r)} ${number(r.total[field], 2)}`).join('; ')}`);
  }

  function drawTrend() {
    lineChart('chart-service-level', 'serviceLevelPercent', t('serviceLevel'), 'serviceLevelTargetPercent');
    lineChart('chart-reachability', 'reachabilityPercent', t('reachability'));
    lineChart('chart-fcr', 'firstContactResolutionPercent', t('fcr'), 'firstContactResolutionTargetPercent');
    lineChart('chart-referrals', 'referralsAnsweredWithin24ServiceHoursPercent', t('referralsInTime'));
  }

  function drawDays(days, r) {
    const caption = t('daysCaption', { q: quarterName(r) });
    $('days-caption').textContent = caption;
    const total = days.days.reduce((sum, d) => sum + d.offered, 0);
    const busiest = days.days.reduce((a, b) => (b.offered > a.offered ? b : a), days.days[0]);
    chart('chart-days', {
      type: 'bar',
      data: {
        labels: days.days.map((d) => date(d.date)),
        datasets: [
          { label: t('offeredSeries'), data: days.days.map((d) => d.offered), backgroundColor: '#0a4f8a' },
          { label: t('answeredSeries'), data: days.days.map((d) => d.answered), backgroundColor: '#4f86c6' },
        ],
      },
      options: { animation: false, maintainAspectRatio: false, locale: locale(), scales: { x: { ticks: { autoSkip: true, maxTicksLimit: 15 } } } },
    }, `${caption}: ${number(total)} ${t('offeredSeries')}${busiest ? `; max ${number(busiest.offered)} (${date(busiest.date)})` : ''}`);
  }

  // ---- billing ----
  function drawBilling(documents, reconciliation, year) {
    $('billing-title').textContent = t('billingTitle', { y: year });
    $('reconciliation-title').textContent = t('reconciliationTitle', { y: year });
    const note = $('billing-note');
    if (documents === 'forbidden' || reconciliation === 'forbidden') {
      note.textContent = t('billingForbidden');
      note.hidden = false;
      $('documents').replaceChildren();
      $('reconciliation').replaceChildren();
      $('reconciliation-title').hidden = true;
      return;
    }
    $('reconciliation-title').hidden = false;
    note.hidden = documents.length > 0;
    note.textContent = t('noDocuments');

    const head = (...keys) => el('thead', {}, el('tr', {}, keys.map((k) => el('th', { scope: 'col', text: t(k) }))));
    $('documents').replaceChildren(
      head('number', 'kind', 'quarter', 'issuedOn', 'dueOn', 'amount', 'paid', 'balance', 'payments', 'status', 'download'),
      el('tbody', {}, documents.map((d) => el('tr', { 'data-invoice': d.invoiceId },
        el('th', { scope: 'row', text: d.number }),
        el('td', { text: t(d.kind) }),
        el('td', { text: quarterName(d) }),
        el('td', { text: date(d.issuedOn) }),
        el('td', { text: date(d.dueOn) }),
        el('td', { 'data-field': 'amount', text: money(d.amount) }),
        el('td', { 'data-field': 'paid', text: money(d.paid) }),
        el('td', { 'data-field': 'balance', text: money(d.balance) }),
        el('td', { class: 'wrap', text: d.payments.map((p) => `${date(p.paidOn)}: ${money(p.amount)}`).join('; ') || t('none') }),
        el('td', { 'data-field': 'status', text: t(d.status === 'paid' ? 'status-paid' : d.status) }),
        el('td', {}, el('button', {
          type: 'button', class: 'secondary', 'aria-label': t('downloadLabel', { n: d.number }), text: t('download'),
          onclick: () => download(d.xRechnung, 'application/xml', `${d.number}.xml`),
        }))))));

    const amounts = ['feeDue', 'invoiced', 'credited', 'paid', 'refunded', 'openBalance'];
    $('reconciliation').replaceChildren(
      head('quarter', ...amounts),
      el('tbody', {},
        reconciliation.quarters.map((q) => el('tr', {},
          el('th', { scope: 'row', text: quarterName({ quarter: q.quarter, year }) }),
          amounts.map((a) => el('td', { 'data-field': `q${q.quarter}.${a}`, text: money(q[a]) })))),
        el('tr', { class: 'total' },
          el('th', { scope: 'row', text: t('year') }),
          amounts.map((a) => el('td', { 'data-field': `year.${a}`, text: money(reconciliation[a]) })))));
  }

  // ---- wiring ----
  function wire() {
    $('language').addEventListener('click', () => {
      state.lang = state.lang === 'de' ? 'en' : 'de';
      sessionStorage.setItem(LANG_KEY, state.lang);
      applyText();
      if (state.trend.length > 0) {
        fillQuarters();
        drawTrend();
        render();
      }
    });
    $('sign-out').addEventListener('click', () => { signOut(); show(null); });
    $('sign-in-form').addEventListener('submit', (e) => {
      e.preventDefault();
      sessionStorage.setItem(TOKEN_KEY, $('token').value.trim());
      $('token').value = '';
      show(null);
      start();
    });
    $('contract').addEventListener('change', (e) => pickContract(e.target.value).catch(fail));
    $('quarter').addEventListener('change', (e) => pickQuarter(e.target.value));
    $('compare').addEventListener('click', () => {
      const value = $('as-of').value;
      if (!value) {
        show(t('asOfInvalid'));
        return;
      }
      state.asOf = new Date(value); // local time of the browser, sent as an instant with its offset
      render();
    });
    $('now').addEventListener('click', () => {
      state.asOf = null;
      $('as-of').value = '';
      render();
    });
    $('download-csv').addEventListener('click', () => {
      const r = state.quarter;
      const query = state.asOf ? `?asOf=${encodeURIComponent(state.asOf.toISOString())}` : '';
      download(`/api/reports/quarterly/${encodeURIComponent(state.contractId)}/${r.year}/${r.quarter}${query}`, 'text/csv',
        `${state.contractId}-${r.year}-Q${r.quarter}${state.asOf ? '-as-of' : ''}.csv`);
    });
  }

  state.lang = new URLSearchParams(location.search).get('lang') ?? sessionStorage.getItem(LANG_KEY)
    ?? (navigator.language.toLowerCase().startsWith('de') ? 'de' : 'en');
  if (!TEXT[state.lang]) state.lang = 'en';
  takeTokenFromLink();
  applyText();
  wire();
  // A link with another token opened in this tab signs in with it.
  window.addEventListener('hashchange', () => {
    if (/(?:^#|&)token=/.test(location.hash)) {
      takeTokenFromLink();
      show(null);
      start();
    }
  });
  start();
})();
