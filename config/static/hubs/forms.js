// Live help on our forms, from a file so the CSP needs no inline script. Every form still works without it:
// the server computes the same totals and takes the same rows.
const yuan = (value) => (Math.round(value * 100) / 100).toFixed(2);

// An expert's weighted total while scoring: each 0-10 score (one decimal, as stored) times its weight.
document.querySelectorAll("form[data-weighted-total]").forEach((form) => {
  const output = form.querySelector("[data-total-output]");
  const update = () => {
    let total = 0;
    form.querySelectorAll("input[data-weight]").forEach((input) => {
      const score = Number.parseFloat(input.value);
      if (Number.isFinite(score) && score >= 0 && score <= 10) {
        total += (Math.round(score * 10) / 10 / 10) * Number.parseFloat(input.dataset.weight);
      }
    });
    output.textContent = yuan(total);
  };
  form.addEventListener("input", update);
  update();
});

// Budget lines: add and remove rows, with the running total against the cap and the standards.
document.querySelectorAll("[data-budget]").forEach((budget) => {
  const rows = budget.querySelector("[data-budget-rows]");
  const count = budget.querySelector("input[name=budget_rows]");
  const cap = Number.parseFloat(budget.dataset.cap);
  const standards = JSON.parse(budget.dataset.standards || "[]");
  const totalOutput = budget.querySelector("[data-budget-total]");
  const warnings = budget.querySelector("[data-budget-warnings]");
  const messages = JSON.parse(budget.dataset.messages || "{}");
  const fill = (template, values) => template.replace(/%\((\w+)\)s/g, (_m, key) => values[key]);

  const update = () => {
    let total = 0;
    const byCategory = {};
    rows.querySelectorAll(".budget-row:not([hidden])").forEach((row) => {
      const amount = Number.parseFloat(row.querySelector("input[name$=_amount]").value);
      const category = row.querySelector("select[name$=_category]").value;
      if (Number.isFinite(amount) && amount > 0) {
        total += amount;
        byCategory[category] = (byCategory[category] || 0) + amount;
      }
    });
    totalOutput.textContent = yuan(total);
    const found = [];
    if (total > cap) found.push(fill(messages.cap, { total: yuan(total), cap: yuan(cap) }));
    standards.forEach((standard) => {
      const spent = byCategory[standard.category] || 0;
      if (standard.max_amount !== null && spent > standard.max_amount) {
        found.push(fill(messages.amount, { category: standard.label, spent: yuan(spent), max: yuan(standard.max_amount) }));
      }
      if (standard.max_percent !== null && total > 0 && spent * 100 > standard.max_percent * total) {
        found.push(fill(messages.percent, { category: standard.label, share: yuan((spent * 100) / total), max: standard.max_percent }));
      }
    });
    warnings.replaceChildren(...found.map((text) => Object.assign(document.createElement("li"), { textContent: text })));
  };

  budget.addEventListener("click", (event) => {
    const remove = event.target.closest("[data-remove-row]");
    if (remove) {
      event.preventDefault();
      const row = remove.closest(".budget-row");
      row.querySelectorAll("input").forEach((input) => { input.value = ""; });
      row.hidden = true; // an emptied row is ignored by the server
      update();
    }
    const add = event.target.closest("[data-add-row]");
    if (add) {
      event.preventDefault();
      const index = Number.parseInt(count.value, 10);
      const template = rows.querySelector(".budget-row");
      const row = template.cloneNode(true);
      row.hidden = false;
      row.querySelectorAll("input, select, label").forEach((element) => {
        ["name", "id", "for"].forEach((attribute) => {
          const value = element.getAttribute(attribute);
          if (value) element.setAttribute(attribute, value.replace(/budget_\d+_/, `budget_${index}_`));
        });
        if (element.tagName === "INPUT") element.value = "";
      });
      row.querySelectorAll(".errorlist").forEach((error) => error.remove());
      rows.appendChild(row);
      count.value = String(index + 1);
      row.querySelector("input").focus();
      update();
    }
  });
  budget.addEventListener("input", update);
  budget.addEventListener("change", update);
  update();
});

// The final report's financial statement: each line's variance against its approved amount as it is typed, the
// totals, which lines need a note; shown only while the report being written is the final one.
document.querySelectorAll("[data-statement]").forEach((statement) => {
  const threshold = Number.parseFloat(statement.dataset.threshold);
  const kind = statement.closest("form")?.querySelector("select[name=kind]");
  const cents = (text) => {
    const value = Number.parseFloat(String(text).trim());
    return /^\d+(\.\d{0,2})?$/.test(String(text).trim()) && Number.isFinite(value) ? Math.round(value * 100) : null;
  };
  const percent = (variance, budgeted) => (budgeted ? `${((variance * 100) / budgeted).toFixed(1)}%` : "—");
  const update = () => {
    let budgetedTotal = 0;
    let actualTotal = 0;
    let complete = true;
    statement.querySelectorAll("tbody tr[data-budgeted]").forEach((row) => {
      const budgeted = cents(row.dataset.budgeted);
      const actual = cents(row.querySelector("input[name^=spending_]:not([name^=spending_note_])").value);
      budgetedTotal += budgeted;
      const hint = row.querySelector(".note-needed");
      if (actual === null) {
        complete = false;
        row.querySelector("[data-variance]").textContent = "—";
        row.querySelector("[data-variance-percent]").textContent = "—";
        hint.hidden = true;
        return;
      }
      actualTotal += actual;
      const variance = actual - budgeted;
      row.querySelector("[data-variance]").textContent = yuan(variance / 100);
      row.querySelector("[data-variance-percent]").textContent = percent(variance, budgeted);
      hint.hidden = !(Math.abs(variance) * 100 > budgeted * threshold);
    });
    const total = (name, text) => {
      statement.querySelector(`[data-total=${name}]`).textContent = text;
    };
    total("actual", complete ? yuan(actualTotal / 100) : "—");
    total("variance", complete ? yuan((actualTotal - budgetedTotal) / 100) : "—");
    total("variance-percent", complete ? percent(actualTotal - budgetedTotal, budgetedTotal) : "—");
  };
  const showForKind = () => {
    if (kind) statement.hidden = kind.value !== "final";
  };
  statement.addEventListener("input", update);
  kind?.addEventListener("change", showForKind);
  showForKind();
  update();
});
