// Building DOM nodes from data without ever parsing data as HTML: text goes through
// textContent (or text nodes), attributes through setAttribute.

/**
 * Creates an element. `props`: `text` (its text), `class`, `dataset`, `on<event>` (listeners),
 * anything else as an attribute (`true` sets it empty, `false`/`null` leaves it out).
 */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'text') node.textContent = String(value);
    else if (key === 'class') node.className = value;
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') {
      node.addEventListener(key.slice(2), value);
    } else if (value === true) node.setAttribute(key, '');
    else node.setAttribute(key, String(value));
  }
  append(node, children);
  return node;
}

/** Appends nodes or strings (as text) to `parent`, skipping empty ones. */
export function append(parent, children) {
  for (const child of [children].flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

/** Replaces the children of `parent`. */
export function replace(parent, ...children) {
  parent.replaceChildren();
  return append(parent, children);
}

let nextId = 0;
/** An id unique in the page, for label/aria wiring. */
export function uid(prefix) {
  nextId += 1;
  return `${prefix}-${nextId}`;
}

/** A labelled form control: `<label>` + control, wired by id. */
export function field(labelText, control, hint) {
  if (!control.id) control.id = uid('field');
  const label = el('label', { for: control.id, text: labelText });
  const parts = [label, control];
  if (hint) {
    const hintNode = el('span', { class: 'hint', id: uid('hint'), text: hint });
    control.setAttribute('aria-describedby', hintNode.id);
    parts.push(hintNode);
  }
  return el('div', { class: 'field' }, parts);
}

/** A `<select>` of `[value, text]` pairs or `{label, options}` groups. */
export function select(items, props = {}) {
  const node = el('select', props);
  fillSelect(node, items);
  return node;
}

/** Replaces the options of a `<select>`, keeping the value when it still exists. */
export function fillSelect(node, items) {
  const previous = node.value;
  node.replaceChildren();
  for (const item of items) {
    if (Array.isArray(item)) {
      node.append(el('option', { value: item[0], text: item[1] }));
    } else {
      const group = el('optgroup', { label: item.label });
      for (const [value, text] of item.options) {
        group.append(el('option', { value, text }));
      }
      node.append(group);
    }
  }
  if ([...node.options].some((option) => option.value === previous)) node.value = previous;
}

/** Formats a number for people, or an em dash when missing. */
export function formatNumber(value, digits = 2) {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return value.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

/** Formats a fraction as a percentage (0.123 → "12.30 %"). */
export function formatPercent(value, digits = 2) {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return `${(value * 100).toFixed(digits)} %`;
}
