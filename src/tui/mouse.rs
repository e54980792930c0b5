//! The mouse (on unless `--no-mouse` or `mouse = false`: capturing it stops the terminal's
//! own text selection). What a click or the wheel lands on is listed by `view::hits`, the
//! drawing's twin, as [`Hits`]; the loop keeps the list of the screen last drawn and turns
//! each terminal mouse event into a [`Message::Mouse`] through a [`Pointer`], so the App
//! handles the pointer as purely as it handles keys.
//!
//! A button stands for an action of the key table in force, and clicking it *presses that
//! action's key*: the click takes the key's path through the same handler, the same write
//! gate and the same confirmations. A popup takes the pointer from the screen beneath it; a
//! popup that registers nothing simply ignores the mouse.

use std::time::{Duration, Instant};

use ratatui::crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Position, Rect};

use super::app::{App, Effect, Message, Pane, Tab};
use super::keymap::{Action, Context};
use super::popups::{Chosen, Popup};

/// How far one notch of the wheel moves a selection or a popup.
pub const WHEEL_STEP: usize = 3;

/// Two clicks on the same cell within this time are a double click.
pub const DOUBLE_CLICK: Duration = Duration::from_millis(500);

/// What is under the pointer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A tab of the header.
    Tab(Tab),
    /// A pane away from its rows (border, title, filter line, empty space): focuses it.
    Pane(Pane),
    /// A row of a pane on `tab`, named by what it shows — a user or patron id, a Cerego tag
    /// id or a Hive api_field, a log entry's journal id — so that a reply arriving between
    /// drawing and clicking cannot make the click select another row.
    Row { tab: Tab, pane: Pane, key: String },
    /// An action the status line hints: its key, pressed.
    Hint(Action),
    /// Inside the open popup, on nothing that acts.
    Popup,
    /// Inside the open popup, where the wheel moves it (its up / down keys).
    Scroll,
    /// A button of the open popup: its action's key in the popup's table, pressed.
    Button(Action),
    /// The `n`th choice of the open popup's list: a click selects it, a click on the
    /// selected one takes it (the popup's submit key).
    Choice(usize),
}

impl Target {
    /// Whether the target belongs to the main screen (beneath any popup).
    fn on_screen(&self) -> bool {
        match self {
            Target::Tab(_) | Target::Pane(_) | Target::Row { .. } | Target::Hint(_) => true,
            Target::Popup | Target::Scroll | Target::Button(_) | Target::Choice(_) => false,
        }
    }
}

/// What the operator did with the pointer, resolved to a target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gesture {
    /// A left click. `double`: the second click of a double click, on the target of the
    /// first one (the screen may have moved under the pointer since).
    Click { target: Target, double: bool },
    /// One notch of the wheel.
    Wheel { target: Target, down: bool },
}

/// The clickable rectangles of a drawn screen, later ones on top.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hits {
    spots: Vec<(Rect, Target)>,
    /// The open popup's rectangle: the screen beneath does not take the pointer.
    popup: Option<Rect>,
    /// The wheel moves the open popup (wherever the pointer is in it).
    popup_wheel: bool,
    /// What a click outside the popup does: a read-only popup closes, others ignore it.
    outside: Option<Action>,
}

impl Hits {
    pub fn add(&mut self, area: Rect, target: Target) {
        if area.width > 0 && area.height > 0 {
            self.spots.push((area, target));
        }
    }

    /// Registers the open popup's rectangle (`wheel`: the wheel moves it) and what a click
    /// outside it does.
    pub fn popup(&mut self, area: Rect, wheel: bool, outside: Option<Action>) {
        self.popup = Some(area);
        self.popup_wheel = wheel;
        self.outside = outside;
        self.add(area, if wheel { Target::Scroll } else { Target::Popup });
    }

    /// What is at a cell, if anything.
    pub fn at(&self, x: u16, y: u16) -> Option<Target> {
        let here = Position { x, y };
        if let Some(popup) = self.popup
            && !popup.contains(here)
        {
            return self.outside.map(Target::Button);
        }
        self.spots
            .iter()
            .rev()
            .find(|(area, _)| area.contains(here))
            .map(|(_, target)| target.clone())
    }

    /// What the wheel moves at a cell: inside a popup, the popup itself when it scrolls
    /// (its rows and buttons included); else what is there.
    pub fn wheel_at(&self, x: u16, y: u16) -> Option<Target> {
        match self.popup {
            Some(popup) if popup.contains(Position { x, y }) && self.popup_wheel => {
                Some(Target::Scroll)
            }
            Some(_) => None,
            None => self.at(x, y),
        }
    }

    /// Every spot, bottom first (for tests).
    pub fn spots(&self) -> &[(Rect, Target)] {
        &self.spots
    }

    /// Where a target is: the centre of its topmost spot (for tests that click by target).
    pub fn find(&self, target: &Target) -> Option<(u16, u16)> {
        self.spots
            .iter()
            .rev()
            .find(|(_, t)| t == target)
            .map(|(r, _)| (r.x + r.width / 2, r.y + r.height / 2))
    }
}

/// Turns terminal mouse events into gestures, remembering the last click to tell a double
/// click (two clicks on one cell within [`DOUBLE_CLICK`]).
#[derive(Debug, Default)]
pub struct Pointer {
    last: Option<(Instant, u16, u16, Target)>,
}

impl Pointer {
    /// The gesture an event makes on the screen `hits` describes (None: nothing to do —
    /// a release, a drag, a right click, a click on nothing).
    pub fn gesture(&mut self, hits: &Hits, event: &MouseEvent, now: Instant) -> Option<Gesture> {
        let (x, y) = (event.column, event.row);
        match event.kind {
            MouseEventKind::Down(MouseButton::Left) => {
                if let Some((at, lx, ly, target)) = self.last.take()
                    && (lx, ly) == (x, y)
                    && now.saturating_duration_since(at) <= DOUBLE_CLICK
                {
                    // The second click acts on what the first one chose; a third starts over.
                    return Some(Gesture::Click {
                        target,
                        double: true,
                    });
                }
                let target = hits.at(x, y)?;
                self.last = Some((now, x, y, target.clone()));
                Some(Gesture::Click {
                    target,
                    double: false,
                })
            }
            MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => Some(Gesture::Wheel {
                target: hits.wheel_at(x, y)?,
                down: event.kind == MouseEventKind::ScrollDown,
            }),
            _ => None,
        }
    }

    /// [`Pointer::gesture`] as a message for the App.
    pub fn message(&mut self, hits: &Hits, event: &MouseEvent, now: Instant) -> Option<Message> {
        self.gesture(hits, event, now).map(Message::Mouse)
    }
}

impl App {
    pub(super) fn on_mouse(&mut self, gesture: Gesture) -> Vec<Effect> {
        match gesture {
            Gesture::Click { target, double } => self.click(target, double),
            Gesture::Wheel { target, down } => {
                self.wheel(target, down);
                Vec::new()
            }
        }
    }

    /// Presses `action`'s key where the keyboard is (the open popup's table, else the main
    /// screen's): a click takes exactly the path of the key. Nothing when no key of the
    /// table asks for it there.
    pub(in crate::tui) fn press(&mut self, action: Action) -> Vec<Effect> {
        let context = self
            .popup
            .as_ref()
            .map(Popup::context)
            .unwrap_or(Context::Main);
        match self.settings.keymap.event_for(context, action) {
            Some(key) => self.update(Message::Key(key)),
            None => Vec::new(),
        }
    }

    fn click(&mut self, target: Target, double: bool) -> Vec<Effect> {
        // A popup takes the pointer: the screen beneath it takes no clicks, and a popup's
        // target means nothing once it is gone.
        if target.on_screen() == self.popup.is_some() {
            return Vec::new();
        }
        if target.on_screen() {
            // Like a key, a click is a new action: what the status said is stale, and a
            // filter line being typed in is left (its text kept).
            if !self.quit_when_idle {
                self.status = None;
            }
            self.focused_filter_mut().editing = false;
        }
        match target {
            Target::Tab(tab) if !double => self.press(match tab {
                Tab::Cerego => Action::TabCerego,
                Tab::Hive => Action::TabHive,
            }),
            Target::Hint(action) if !double => self.press(action),
            Target::Pane(pane) if !double => {
                self.focus = pane;
                Vec::new()
            }
            Target::Row { tab, pane, key } if tab == self.tab => {
                let again = self.focus == pane && self.row_selected(pane, &key);
                self.focus = pane;
                if !self.select_row(pane, &key) {
                    return Vec::new();
                }
                // The log: a click on the selected entry, or a double click, opens it (as
                // Enter does); a list: a double click goes to the row's tags.
                match pane {
                    Pane::Log if again || double => self.press(Action::Inspect),
                    Pane::List if double => self.press(Action::Inspect),
                    Pane::List | Pane::Tags | Pane::Log => Vec::new(),
                }
            }
            // The second click of a double click on a button is not a second press: the
            // first may have opened another popup with a button at the same place.
            Target::Button(action) if !double => self.press(action),
            Target::Choice(n) => match self.popup.as_mut().map(|p| p.choose(n, double)) {
                Some(Chosen::Take) => self.press(Action::Submit),
                Some(Chosen::Selected) | None => Vec::new(),
            },
            _ => Vec::new(),
        }
    }

    /// The wheel moves what is under the pointer: a pane's selection (without taking the
    /// keyboard from the focused pane, so the layout stays put), or a popup that scrolls.
    fn wheel(&mut self, target: Target, down: bool) {
        let step = if down { 1 } else { -1 } * WHEEL_STEP as i64;
        match target {
            Target::Scroll if self.popup.is_some() => {
                let action = if down { Action::Down } else { Action::Up };
                for _ in 0..WHEEL_STEP {
                    self.press(action);
                }
            }
            Target::Pane(pane) | Target::Row { pane, .. } if self.popup.is_none() => {
                let focus = self.focus;
                self.focus = pane;
                self.move_selection(step);
                self.focus = focus;
            }
            _ => {}
        }
    }

    /// Whether the row showing `key` is the selected one of `pane`.
    fn row_selected(&self, pane: Pane, key: &str) -> bool {
        match (pane, self.tab) {
            (Pane::List, Tab::Cerego) => self.selected_user().is_some_and(|u| u.id == key),
            (Pane::List, Tab::Hive) => self.selected_patron().is_some_and(|p| p.id.as_str() == key),
            (Pane::Tags, Tab::Cerego) => self
                .selected_user()
                .and_then(|u| u.tags.get(self.cerego.tag_selected))
                .is_some_and(|t| t.id == key),
            (Pane::Tags, Tab::Hive) => self
                .selected_patron()
                .and_then(|p| p.tags.get(self.hive.tag_selected))
                .is_some_and(|t| t.api_field == key),
            (Pane::Log, _) => self.log.selected().is_some_and(|e| e.key == key),
        }
    }

    /// Selects the row showing `key` in `pane` (the focused pane), moving to it as the
    /// arrow keys would, so whatever follows a move (the tags pane, the marks) follows a
    /// click too. False when no row shows it any more.
    fn select_row(&mut self, pane: Pane, key: &str) -> bool {
        let (at, now) = match (pane, self.tab) {
            (Pane::List, Tab::Cerego) => {
                let item = self.known.cerego.position(key);
                let list = &self.cerego.list;
                (position(list.visible(), item), list.selected())
            }
            (Pane::List, Tab::Hive) => {
                let patrons = self.known.hive.patrons();
                let item = patrons.iter().position(|p| p.id.as_str() == key);
                let list = &self.hive.list;
                (position(list.visible(), item), list.selected())
            }
            (Pane::Tags, Tab::Cerego) => (
                self.selected_user()
                    .and_then(|u| u.tags.iter().position(|t| t.id == key)),
                self.cerego.tag_selected,
            ),
            (Pane::Tags, Tab::Hive) => (
                self.selected_patron()
                    .and_then(|p| p.tags.iter().position(|t| t.api_field == key)),
                self.hive.tag_selected,
            ),
            (Pane::Log, _) => {
                let item = self.log.entries().iter().position(|e| e.key == key);
                (
                    position(self.log.list.visible(), item),
                    self.log.list.selected(),
                )
            }
        };
        let Some(at) = at else {
            return false;
        };
        self.move_selection(at as i64 - now as i64);
        true
    }
}

/// Where item `item` shows among the visible rows.
fn position(visible: &[usize], item: Option<usize>) -> Option<usize> {
    let item = item?;
    visible.iter().position(|&i| i == item)
}
