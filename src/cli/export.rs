//! `tagdesk hive export` and `tagdesk cerego export`: what tagdesk knows (Hive) or the
//! partner lists (Cerego) written in the import format, to edit and import back. The CSV is
//! made in `core::plan::export`; here the ids are read, the users listed and the file
//! written — 0600 and whole, where `--results` may write — or printed.

use std::path::Path;
use std::sync::Mutex;

use serde_json::json;

use super::args_export::{CeregoExportArgs, HiveExportArgs};
use super::results::Target;
use super::{Format, err, exit, fail, flush, out, out_raw};
use crate::core::domain::{CeregoUserId, PatronId};
use crate::core::op::Output;
use crate::core::plan::export::{self, Export};
use crate::core::printable::{json_text, plural, printable};
use crate::engine::exec::{Hooks, PageProgress};
use crate::session::Session;

/// Where OUT goes, checked (and probed) before anything is read or listed.
fn target(
    session: &Session,
    out: Option<&Path>,
    input: Option<&Path>,
    force: bool,
    format: Format,
) -> Result<Target, String> {
    let input = input.map(|p| p.to_string_lossy().into_owned());
    let t = match out {
        Some(path) => {
            super::results::check_as(&session.paths, "OUT", path, input.as_deref(), force, true)?
        }
        None => Target::Stdout,
    };
    if t == Target::Stdout && format == Format::Json {
        return Err("OUT - and --json both write to standard output: give OUT a file".into());
    }
    Ok(t)
}

/// Reads an id list (`--patrons`, `--users`), or says why not.
fn ids<T: PartialEq>(
    file: &Path,
    parse: impl Fn(&str) -> Result<T, String>,
) -> Result<Vec<T>, String> {
    let name = file.to_string_lossy();
    let bytes = crate::engine::batch::read_source(&name)?;
    export::read_id_list(&bytes, parse).map_err(|e| format!("{name}: {e}: nothing was written"))
}

/// Writes or prints the export; the exit code.
fn finish(
    session: &Session,
    target: &Target,
    e: &Export,
    what: (&str, &str, &str),
    format: Format,
) -> u8 {
    let (one, many, key) = what;
    match target {
        Target::Stdout => {
            out_raw(&e.text);
            flush();
        }
        Target::File { given, full } => {
            if let Err(error) = crate::engine::fs::write_private(full, &e.text) {
                return fail(
                    format,
                    &format!("OUT {}: {error}: nothing was written", given.display()),
                    exit::USAGE,
                );
            }
            match format {
                Format::Json => out(&json_text(&json!({
                    "ok": true,
                    "exit_code": exit::OK,
                    "profile": session.profile.name,
                    "out": given.display().to_string(),
                    "rows": e.rows,
                    key: e.subjects,
                }))),
                Format::Human => err(&printable(&format!(
                    "tagdesk: {} of {} written to {}",
                    plural(e.rows as u64, "row", "rows"),
                    plural(e.subjects as u64, one, many),
                    given.display()
                ))),
            }
        }
    }
    exit::OK
}

/// `tagdesk hive export [OUT] [--patrons FILE] [--dashboard]`.
pub(crate) fn hive(session: &Session, args: HiveExportArgs, format: Format) -> u8 {
    let target = match target(
        session,
        args.out.as_deref().filter(|p| p.as_os_str() != "-"),
        args.patrons.as_deref(),
        args.force,
        format,
    ) {
        Ok(t) => t,
        Err(e) => return fail(format, &e, exit::USAGE),
    };
    let listed = match &args.patrons {
        Some(file) => match ids(file, |s| PatronId::parse(s).map_err(|e| e.to_string())) {
            Ok(ids) => Some(ids),
            Err(e) => return fail(format, &e, exit::USAGE),
        },
        None => None,
    };
    let known = super::batch::known_state(session).hive;
    let e = match &listed {
        Some(ids) => export::hive_export(ids.iter().map(|id| (id, known.get(id))), args.dashboard),
        None => {
            let mut all: Vec<_> = known.patrons().iter().collect();
            all.sort_by(|a, b| a.id.as_str().cmp(b.id.as_str()));
            export::hive_export(all.into_iter().map(|p| (&p.id, Some(p))), args.dashboard)
        }
    };
    if listed.is_none() && e.subjects == 0 {
        err(&format!(
            "tagdesk: tagdesk knows no Hive patron in profile {} yet (it learns a patron's \
             tags from Hive's answers): the export has no rows",
            session.profile.name
        ));
    }
    if args.dashboard && e.left_out > 0 {
        err(&format!(
            "tagdesk: {} left out: tagdesk confirmed no tag on them (the dashboard takes no \
             row without tags)",
            plural(e.left_out as u64, "patron", "patrons")
        ));
    }
    finish(
        session,
        &target,
        &e,
        ("patron", "patrons", "patrons"),
        format,
    )
}

/// `tagdesk cerego export [OUT] [--users FILE]`.
pub(crate) async fn cerego(session: &Session, args: CeregoExportArgs, format: Format) -> u8 {
    let target = match target(
        session,
        args.out.as_deref().filter(|p| p.as_os_str() != "-"),
        args.users.as_deref(),
        args.force,
        format,
    ) {
        Ok(t) => t,
        Err(e) => return fail(format, &e, exit::USAGE),
    };
    if let Err(e) = super::partner_of(session) {
        return fail(format, &e, exit::USAGE);
    }
    let tag_types = super::dry_run::catalogue_of(session).1;
    if tag_types.is_empty() {
        return fail(
            format,
            &format!(
                "profile {} configures no Cerego tag types (cerego.tag_types): the export \
                 writes one row per configured tag type, so it would be empty",
                session.profile.name
            ),
            exit::USAGE,
        );
    }
    let listed = match &args.users {
        Some(file) => match ids(file, |s| CeregoUserId::parse(s).map_err(|e| e.to_string())) {
            Ok(ids) => Some(ids),
            Err(e) => return fail(format, &e, exit::USAGE),
        },
        None => None,
    };
    let made = match &listed {
        Some(ids) => named(session, ids, &tag_types, format).await,
        None => every_user(session, &tag_types)
            .await
            .map_err(|message| fail(format, &message, exit::UNREACHABLE)),
    };
    let e = match made {
        Ok(e) => e,
        Err(code) => return code,
    };
    if e.left_out > 0 {
        err(&format!(
            "tagdesk: warning: {} left out: the listing did not give their value",
            plural(e.left_out as u64, "tag", "tags")
        ));
    }
    finish(session, &target, &e, ("user", "users", "users"), format)
}

fn notify(n: crate::engine::retry::RetryNotice) {
    err(&format!(
        "tagdesk: reading the partner's users: {}; retry {}/{}",
        printable(&n.reason),
        n.attempt,
        n.max_attempts
    ));
}

/// The export of the users `ids` names, in that order (looked up, or the listing filtered
/// to them, as an import plans); a user the partner does not have is said on stderr and
/// left out. The exit code when the users cannot be read (said).
async fn named(
    session: &Session,
    ids: &[CeregoUserId],
    tag_types: &[crate::core::domain::TagType],
    format: Format,
) -> Result<Export, u8> {
    let wanted: Vec<&str> = ids.iter().map(CeregoUserId::as_str).collect();
    let users = super::batch::users_for_planning(session, &wanted, format).await?;
    let mut e = export::cerego_export_header();
    let mut missing = Vec::new();
    for id in &wanted {
        match users.user(id) {
            Some(u) => {
                let tags = u.tags.iter().map(|t| (t.tag_type_id, t.value));
                export::cerego_export_user(&mut e, id, tags, tag_types);
            }
            None => missing.push(*id),
        }
    }
    if !missing.is_empty() {
        err(&printable(&format!(
            "tagdesk: warning: {} not among the partner's users, left out: {}",
            plural(missing.len() as u64, "user is", "users are"),
            missing.join(", ")
        )));
    }
    Ok(e)
}

/// The export of every user of the partner, page by page as the listing hands them on (in
/// its order), within the profile's listing limits.
async fn every_user(
    session: &Session,
    tag_types: &[crate::core::domain::TagType],
) -> Result<Export, String> {
    let clients = session.clients().map_err(|e| e.0)?;
    let Some(cerego) = &session.profile.cerego else {
        return Err(super::partner_of(session).err().unwrap_or_default());
    };
    let made = Mutex::new(export::cerego_export_header());
    let on_page = |p: PageProgress| {
        let mut e = made.lock().unwrap_or_else(|e| e.into_inner());
        for u in &p.users {
            let tags = u
                .tags
                .iter()
                .map(|t| (t.tag_type_id.as_deref(), t.value.as_deref()));
            export::cerego_export_user(&mut e, &u.id, tags, tag_types);
        }
    };
    let hooks = Hooks {
        notify: &notify,
        on_page: &on_page,
        keep_users: false,
        prior: None,
    };
    let listing = cerego.listing(None);
    let (_, result, _) =
        crate::engine::listing::list_all(&clients, &listing, &session.profile.retry, &hooks).await;
    match result {
        Ok(Output::Users(list)) => {
            if let Some(cut) = &list.cut {
                err(&format!(
                    "tagdesk: warning: the user list is incomplete ({}): the export holds the \
                     users listed before the limit",
                    printable(cut)
                ));
            }
        }
        Ok(_) => return Err("the user list answer was not a user list".into()),
        Err(e) => {
            return Err(format!(
                "the partner's users could not be read: {e}: nothing was written"
            ));
        }
    }
    Ok(made.into_inner().unwrap_or_else(|e| e.into_inner()))
}
