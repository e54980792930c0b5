//! A whole journal file read without changing it, and its records paired into entries
//! (an intent with its outcome, once known).

use super::*;

/// Everything a journal file holds, in file order, plus what could not be read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JournalContents {
    pub records: Vec<Record>,
    /// (1-based line, reason): corrupt lines, an incomplete last line, outcomes without an
    /// intent before them.
    pub problems: LineProblems,
}

/// Reads a journal file without changing it. A file that does not exist reads as empty
/// (a profile that never sent anything has no journal yet).
pub fn read(path: &Path) -> Result<JournalContents, JournalError> {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(JournalContents::default()),
        Err(e) => return Err(JournalError::io(path, "open")(e)),
    };
    let mut contents = JournalContents::default();
    let mut intents: HashSet<String> = HashSet::new();
    scan::scan_lines(&file, MAX_LINE_BYTES, 0, |line| {
        let (meta, parsed) = line.split();
        match parsed {
            scan::Parsed::Record(record) => {
                match &*record {
                    Record::Intent(i) => {
                        intents.insert(i.id.clone());
                    }
                    Record::Outcome(o) if !intents.contains(&o.id) => {
                        contents.problems.push((
                            meta.number,
                            format!("an outcome for id {} without an intent before it", o.id),
                        ));
                    }
                    Record::Outcome(_) | Record::Batch(_) | Record::DryRun(_) => {}
                }
                contents.records.push(*record);
            }
            scan::Parsed::Unknown(reason) => contents.problems.push((meta.number, reason)),
            scan::Parsed::Invalid(reason) if !meta.terminated => contents.problems.push((
                meta.number,
                format!(
                    "an incomplete last line of {} bytes, an interrupted write ({reason})",
                    meta.len
                ),
            )),
            scan::Parsed::Invalid(reason) => contents.problems.push((meta.number, reason)),
        }
    })
    .map_err(JournalError::io(path, "read"))?;
    Ok(contents)
}

/// Calls `each` with every record of the journal whose active file is `path`, rotated
/// files first, in file order (lines that are not records are skipped: `tagdesk log`
/// reports them). Constant memory whatever the journal's size.
pub fn each_record(path: &Path, mut each: impl FnMut(Record)) -> Result<(), JournalError> {
    for file_path in files_of(path) {
        let file = match File::open(&file_path) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(JournalError::io(&file_path, "open")(e)),
        };
        scan::scan_lines(&file, MAX_LINE_BYTES, 0, |line| {
            if let (_, scan::Parsed::Record(record)) = line.split() {
                each(*record);
            }
        })
        .map_err(JournalError::io(&file_path, "read"))?;
    }
    Ok(())
}

/// One Op as the log shows it: its intent and, once known, its outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub intent: IntentRecord,
    pub outcome: Option<OutcomeRecord>,
}

impl Entry {
    pub fn id(&self) -> &str {
        &self.intent.id
    }

    pub fn time(&self) -> DateTime<Utc> {
        self.intent.time
    }

    /// No outcome recorded: still in flight, or a run ended without journaling it (outcome
    /// unknown).
    pub fn is_pending(&self) -> bool {
        self.outcome.is_none()
    }

    /// `ok`, `http_error`, ..., `abandoned`, or `pending` when no outcome is recorded.
    pub fn result_label(&self) -> &'static str {
        self.outcome
            .as_ref()
            .map_or("pending", |o| o.result.as_str())
    }

    pub fn status(&self) -> Option<u16> {
        self.outcome.as_ref().and_then(|o| o.status)
    }

    pub fn summary(&self) -> &str {
        self.outcome.as_ref().map_or(
            "no outcome recorded (in flight, or tagdesk stopped first: outcome unknown)",
            |o| o.summary.as_str(),
        )
    }

    /// The command that repeats this entry's Op, naming its profile (or `--demo`).
    pub fn command(&self) -> String {
        self.intent.replay_command()
    }

    /// The Hive outcome read back from the journaled response body, when this entry is a
    /// Hive add or remove that was answered.
    pub fn hive_outcome(&self) -> Option<crate::core::op::hive::HiveOutcome> {
        use crate::core::op::scenario::HiveAction;
        let action = match &self.intent.op {
            Op::HiveAdd { .. } => HiveAction::Add,
            Op::HiveRemove { .. } => HiveAction::Remove,
            Op::Raw(raw) => match raw.endpoint() {
                "hive.add" => HiveAction::Add,
                "hive.remove" => HiveAction::Remove,
                _ => return None,
            },
            Op::CeregoAdd { .. }
            | Op::CeregoUpdate { .. }
            | Op::CeregoSet { .. }
            | Op::CeregoListUsers { .. }
            | Op::CeregoProfile => return None,
        };
        let outcome = self.outcome.as_ref()?;
        if outcome.result != OutcomeKind::Ok {
            return None;
        }
        if let Some(hive) = &outcome.hive {
            return Some(hive.clone().confine_to(&self.intent.op));
        }
        crate::core::op::hive::HiveOutcome::from_value(action, outcome.response_body.as_ref()?)
            .ok()
            .map(|o| o.confine_to(&self.intent.op))
    }
}

/// Whether `candidate`, seen after `current` in the file, should replace it. The rule
/// that makes pairing deterministic: the first real outcome wins; `abandoned` (written at
/// quit or at the next start when the answer was not seen) counts only when no real outcome
/// exists, whichever order they were written in.
pub(crate) fn later_outcome_wins(
    current: Option<&OutcomeRecord>,
    candidate: &OutcomeRecord,
) -> bool {
    match current {
        None => true,
        Some(c) => c.result == OutcomeKind::Abandoned && candidate.result != OutcomeKind::Abandoned,
    }
}

/// Pairs intents with their outcomes by id, in intent order. An outcome without an intent
/// is left out (`read` reports it). If an id has several outcomes, the first real one wins,
/// and `abandoned` counts only when there is no real one (see [`later_outcome_wins`]).
pub fn entries(records: impl IntoIterator<Item = Record>) -> Vec<Entry> {
    let mut out: Vec<Entry> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for record in records {
        match record {
            Record::Intent(intent) => {
                index.insert(intent.id.clone(), out.len());
                out.push(Entry {
                    intent: *intent,
                    outcome: None,
                });
            }
            Record::Outcome(outcome) => {
                if let Some(&i) = index.get(&outcome.id)
                    && let Some(entry) = out.get_mut(i)
                    && later_outcome_wins(entry.outcome.as_ref(), &outcome)
                {
                    entry.outcome = Some(outcome);
                }
            }
            Record::Batch(_) | Record::DryRun(_) => {}
        }
    }
    out
}
