#include "tasks/task_registry.hpp"

#include <functional>
#include <tuple>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/error.hpp"
#include "tasks/carry_task.hpp"
#include "tasks/draw.hpp"
#include "tasks/knobs.hpp"
#include "tasks/lemmas_task.hpp"
#include "tasks/pointer_task.hpp"
#include "tasks/program_task.hpp"
#include "tasks/walk_task.hpp"

namespace foresight {
namespace {

using Generator = std::function<TaskProblem(Rng&)>;

struct Family {
  std::string_view name;
  std::string knob_names;  // "lines, registers, passes"
  std::string help;        // "lines=24 (2..99) program lines; ..."
  // Takes the settings naming this family's knobs (range-checked, marked used).
  std::function<Generator(std::vector<KnobSetting>&)> bind;
  void (*live)(std::string_view text, LiveMarks& live);
};

template <typename Knobs, size_t N>
Family family(std::string_view name, const KnobField<Knobs> (&fields)[N],
              TaskProblem (*make)(const Knobs&, Rng&), void (*live)(std::string_view, LiveMarks&)) {
  Family f{name, {}, {}, {}, live};
  const Knobs defaults;
  for (const KnobField<Knobs>& k : fields) {
    f.knob_names += fmt::format("{}{}", f.knob_names.empty() ? "" : ", ", k.name);
    f.help += fmt::format("{}{}={} ({}..{}) {}", f.help.empty() ? "" : "; ", k.name,
                          defaults.*k.member, k.min, k.max, k.help);
  }
  f.bind = [name, &fields, make](std::vector<KnobSetting>& settings) -> Generator {
    Knobs fixed;
    std::vector<std::tuple<int Knobs::*, int, int>> drawn;  // knobs given as ranges
    for (const KnobField<Knobs>& k : fields) {
      const KnobSetting* chosen = nullptr;  // `family.knob` wins over `knob`
      for (KnobSetting& s : settings) {
        const bool qualified = s.name == fmt::format("{}.{}", name, k.name);
        if (s.name != k.name && !qualified) continue;
        if (s.lo < k.min || s.hi > k.max)
          fail_field("knob", " {}: {} of family {} takes {}..{}", s.text, k.name, name, k.min,
                     k.max);
        s.used = true;
        if (qualified || !chosen) chosen = &s;
      }
      if (!chosen) continue;
      fixed.*k.member = chosen->lo;
      if (chosen->hi > chosen->lo) drawn.emplace_back(k.member, chosen->lo, chosen->hi);
    }
    return [fixed, drawn, make](Rng& rng) {
      Knobs knobs = fixed;
      for (const auto& [member, lo, hi] : drawn) knobs.*member = lo + draw_below(rng, hi - lo + 1);
      return make(knobs, rng);
    };
  };
  return f;
}

// Mixed into every problem's seed, so that datasets of two families made with the same seed do
// not share their random draws.
uint64_t name_hash(std::string_view name) {
  uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a
  for (const char c : name) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ull;
  return h;
}

const std::vector<Family>& families() {
  static const std::vector<Family> all = {
      family("program", kProgramKnobs, make_program_problem, mark_live_program),
      family("pointer", kPointerKnobs, make_pointer_problem, mark_live_pointer),
      family("carry", kCarryKnobs, make_carry_problem, mark_live_carry),
      family("walk", kWalkKnobs, make_walk_problem, mark_live_walk),
      family("lemmas", kLemmasKnobs, make_lemmas_problem, mark_live_lemmas),
  };
  return all;
}

}  // namespace

std::vector<std::string_view> task_families() {
  std::vector<std::string_view> names;
  for (const Family& f : families()) names.push_back(f.name);
  return names;
}

std::string task_knob_help() {
  std::string help;
  for (const Family& f : families())
    help += fmt::format("{}{}: {}", help.empty() ? "" : "\n", f.name, f.help);
  return help;
}

std::vector<TaskProblem> make_task_problems(std::string_view family, int n, uint64_t seed,
                                            std::span<const std::string> knobs) {
  if (n < 1) fail_field("n", ": the number of problems must be at least 1, not {}", n);
  std::vector<const Family*> selected;
  for (size_t at = 0; at <= family.size();) {
    const size_t comma = std::min(family.find(',', at), family.size());
    const std::string_view name = family.substr(at, comma - at);
    const size_t before = selected.size();
    for (const Family& f : families())
      if (name == "all" || name == f.name) selected.push_back(&f);
    if (selected.size() == before)
      fail_field("family", ": unknown task family '{}' (known: {}, all; or a comma-separated list)",
                 name, fmt::join(task_families(), ", "));
    at = comma + 1;
  }

  std::vector<KnobSetting> settings = parse_knob_settings(knobs);
  std::vector<Generator> generators;
  for (const Family* f : selected) generators.push_back(f->bind(settings));
  for (const KnobSetting& s : settings) {
    if (s.used) continue;
    std::string known;
    for (const Family* f : selected)
      known += fmt::format("{}{}: {}", known.empty() ? "" : "; ", f->name, f->knob_names);
    fail_field("knob", " {}: no knob '{}' in family {} (knobs of {})", s.text, s.name, family,
               known);
  }

  Rng seeds(seed);
  std::vector<TaskProblem> problems;
  for (int i = 0; i < n; ++i) {
    const size_t which = static_cast<size_t>(i) % selected.size();
    Rng rng(seeds.next() ^ name_hash(selected[which]->name));
    TaskProblem p = generators[which](rng);
    p.id = fmt::format("{}-{}-{}", selected[which]->name, seed, i);
    problems.push_back(std::move(p));
  }
  return problems;
}

LiveMarks live_set(std::string_view text) {
  const size_t end = text.find('\n');
  LiveMarks live(text.size(), 0);
  if (end == std::string_view::npos) {  // the family is not known yet: keep everything
    mark(live, 0, text.size());
    return live;
  }
  if (text.starts_with("task "))
    for (const Family& f : families())
      if (text.substr(5, end - 5) == f.name) {
        f.live(text, live);
        return live;
      }
  fail("live: the text does not start with a `task FAMILY` line of a known family ({})",
       fmt::join(task_families(), ", "));
}

}  // namespace foresight
