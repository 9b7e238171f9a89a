// The theme picker: a season, a weather, a time of day and an animal, each "Any" until chosen. The garden asks for
// images with any of the chosen words, those with all of them first (POST /api/v1/garden, theme_match "any").

const picker = document.getElementById("theme-picker");
const selects = () => [...picker.querySelectorAll("select")];
const clearButton = () => document.getElementById("theme-clear");

// The theme as the API writes it: the chosen words in the picker's order (season, weather, time, animal).
export const chosenTheme = () => selects().map((select) => select.value).filter(Boolean).join(",");

export function showTheme(theme) {
  const words = new Set((theme || "").split(","));
  for (const select of selects()) {
    select.value = [...select.options].find((option) => option.value && words.has(option.value))?.value ?? "";
  }
  clearButton().hidden = !chosenTheme();
}

// Calls onChange(theme) whenever the person picks a word or clears the theme.
export function watchTheme(onChange) {
  for (const select of selects()) {
    select.addEventListener("change", () => {
      clearButton().hidden = !chosenTheme();
      onChange(chosenTheme());
    });
  }
  clearButton().addEventListener("click", () => {
    showTheme("");
    selects()[0].focus(); // the button is gone: focus stays in the picker
    onChange("");
  });
}

export const withTheme = (body, theme) => (theme ? { ...body, theme, theme_match: "any" } : body);

// A theme in the visitor's language: "spring,cloudy,day" -> "Spring, Cloudy, Day" (or 봄, 흐림, 낮).
export function themeLabel(theme, kinds) {
  const labels = new Map(kinds.flatMap((kind) => kind.choices));
  return theme.split(",").map((word) => labels.get(word) ?? word).join(", ");
}
