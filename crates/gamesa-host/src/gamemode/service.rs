//! The `com.feralinteractive.GameMode` interface of GameMode 1.7 on the session bus (zbus,
//! served on zbus's own thread), answering from a [`Registry`]. The caller's uid and pid come
//! from the bus daemon (`GetConnectionCredentials` for the sender), never from the arguments.
//!
//! The name is asked for with `DoNotQueue`: if `gamemoded` (or anyone) owns it, the service
//! says so and does not wait for it. While serving, [`GameModeService::poll`] notices another
//! service queued for the name (a `gamemoded` started later) and reports the conflict; when
//! the name was taken at start and its owner leaves, the service takes it then.

use super::name_watch::NameWatch;
use super::registry::{Caller, Event, Game, Registry};
use crate::error::HostError;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::os::fd::{AsFd, AsRawFd};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use zbus::fdo::{DBusProxy, RequestNameFlags, RequestNameReply};
use zbus::message::Header;
use zbus::object_server::SignalEmitter;
use zbus::zvariant::{ObjectPath, OwnedFd, OwnedObjectPath};

/// The well-known name GameMode's clients call.
pub const BUS_NAME: &str = "com.feralinteractive.GameMode";
/// Its object path.
pub const OBJECT_PATH: &str = "/com/feralinteractive/GameMode";
/// The prefix of the game object paths the signals and `ListGames` name.
pub const GAMES_PATH: &str = "/com/feralinteractive/GameMode/Games";
/// How often [`GameModeService::poll`] asks the bus who else wants the name.
const NAME_CHECK_EVERY: Duration = Duration::from_secs(2);

/// How to start the service (as JSON: `{"address", "maxGames", "audit"}`, all optional).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GameModeOptions {
    /// The bus address; `None`: the session bus (`DBUS_SESSION_BUS_ADDRESS`).
    #[serde(default)]
    pub address: Option<String>,
    /// The most games registered at once (1 to 4096).
    #[serde(default = "default_max_games")]
    pub max_games: usize,
    /// The audit file registrations are recorded in; `None`: memory only.
    #[serde(default)]
    pub audit: Option<std::path::PathBuf>,
}

fn default_max_games() -> usize {
    super::DEFAULT_MAX_GAMES
}

impl Default for GameModeOptions {
    fn default() -> Self {
        GameModeOptions {
            address: None,
            max_games: default_max_games(),
            audit: None,
        }
    }
}

impl GameModeOptions {
    /// Reads options from JSON: `INVALID_ARGUMENT` naming the problem (an unknown field, a
    /// bound outside 1..=4096).
    pub fn from_json(text: &str) -> Result<GameModeOptions, HostError> {
        let o: GameModeOptions =
            serde_json::from_str(text).map_err(|e| HostError::InvalidChange {
                message: format!("GameMode options: {e}"),
            })?;
        if !(1..=4096).contains(&o.max_games) {
            return Err(HostError::InvalidChange {
                message: format!(
                    "GameMode options: maxGames {} is outside 1..=4096",
                    o.max_games
                ),
            });
        }
        Ok(o)
    }
}

/// Where the service stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GameModeStatus {
    /// Whether this process owns the name and answers GameMode's clients.
    pub serving: bool,
    /// Who owns the name when this process does not, or who waits for it while it does
    /// (`pid N`, or the bus name when the pid is unknown).
    pub other: Option<String>,
    /// One line for the user.
    pub message: String,
}

/// What happened since the previous poll.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GameModeReport {
    pub status: GameModeStatus,
    /// Set when the status changed on this poll (the name was free and taken).
    pub status_changed: bool,
    /// Others that asked for the name while this process serves it, since the previous poll
    /// (`pid N`, or their bus name): each a conflict to report.
    pub conflicts: Vec<String>,
    pub events: Vec<Event>,
    pub games: Vec<Game>,
}

fn game_path(pid: i32) -> OwnedObjectPath {
    // A pid is digits only: always a valid path element.
    OwnedObjectPath::try_from(format!("{GAMES_PATH}/{pid}")).unwrap_or_default()
}

/// The pid a pidfd refers to (`Pid:` in its fdinfo); 0 when the process is gone.
fn pid_of_pidfd(fd: &OwnedFd) -> i32 {
    let raw = fd.as_fd().as_raw_fd();
    std::fs::read_to_string(format!("/proc/self/fdinfo/{raw}"))
        .ok()
        .and_then(|t| {
            t.lines()
                .find_map(|l| l.strip_prefix("Pid:"))
                .and_then(|v| v.trim().parse::<i32>().ok())
        })
        .filter(|p| *p > 0)
        .unwrap_or(0)
}

fn lock(registry: &Mutex<Registry>) -> MutexGuard<'_, Registry> {
    // A panic while holding the lock leaves the registry consistent (each change is one insert
    // or remove), so a poisoned lock is used as is.
    registry
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The D-Bus object.
struct GameModeInterface {
    registry: Arc<Mutex<Registry>>,
}

/// The sender's credentials as the bus daemon knows them. A caller whose credentials cannot
/// be had is nobody: uid `u32::MAX` owns no process, so it can register nothing.
async fn caller_of(conn: &zbus::Connection, header: &Header<'_>) -> Caller {
    let nobody = Caller {
        uid: u32::MAX,
        pid: None,
    };
    let Some(sender) = header.sender() else {
        return nobody;
    };
    let Ok(proxy) = DBusProxy::new(conn).await else {
        return nobody;
    };
    match proxy
        .get_connection_credentials(sender.clone().into())
        .await
    {
        Ok(c) => Caller {
            uid: c.unix_user_id().unwrap_or(u32::MAX),
            pid: c.process_id(),
        },
        Err(_) => nobody,
    }
}

/// What a method call asks of the registry.
#[derive(Debug, Clone, Copy)]
enum Change {
    Register,
    Unregister,
}

impl GameModeInterface {
    /// A (un)registration by `method`: the caller's credentials, the registry's answer, and on
    /// success the signals GameMode sends (the game's, then the client count).
    #[allow(clippy::too_many_arguments)] // one call's borrowed parts, as zbus hands them over
    async fn change(
        &self,
        change: Change,
        method: &str,
        pid: i32,
        requester: i32,
        conn: &zbus::Connection,
        header: &Header<'_>,
        emitter: &SignalEmitter<'_>,
    ) -> i32 {
        let caller = caller_of(conn, header).await;
        let result = {
            let mut registry = lock(&self.registry);
            match change {
                Change::Register => registry.register(method, caller, pid, requester),
                Change::Unregister => registry.unregister(method, caller, pid, requester),
            }
        };
        if result == 0 {
            let path = game_path(pid);
            let _ = match change {
                Change::Register => Self::game_registered(emitter, pid, path.as_ref()).await,
                Change::Unregister => Self::game_unregistered(emitter, pid, path.as_ref()).await,
            };
            let _ = self.client_count_changed(emitter).await;
        }
        result
    }
}

#[zbus::interface(name = "com.feralinteractive.GameMode")]
impl GameModeInterface {
    /// The calling process registers itself... or `pid`: GameMode takes the argument as the
    /// game (and as the requester).
    async fn register_game(
        &self,
        pid: i32,
        #[zbus(connection)] conn: &zbus::Connection,
        #[zbus(header)] header: Header<'_>,
        #[zbus(signal_emitter)] emitter: SignalEmitter<'_>,
    ) -> i32 {
        self.change(
            Change::Register,
            "RegisterGame",
            pid,
            pid,
            conn,
            &header,
            &emitter,
        )
        .await
    }

    async fn unregister_game(
        &self,
        pid: i32,
        #[zbus(connection)] conn: &zbus::Connection,
        #[zbus(header)] header: Header<'_>,
        #[zbus(signal_emitter)] emitter: SignalEmitter<'_>,
    ) -> i32 {
        self.change(
            Change::Unregister,
            "UnregisterGame",
            pid,
            pid,
            conn,
            &header,
            &emitter,
        )
        .await
    }

    async fn query_status(&self, pid: i32) -> i32 {
        lock(&self.registry).query(pid, pid)
    }

    /// `(requester, game)`, as GameMode orders them.
    #[zbus(name = "RegisterGameByPID")]
    async fn register_game_by_pid(
        &self,
        requester: i32,
        pid: i32,
        #[zbus(connection)] conn: &zbus::Connection,
        #[zbus(header)] header: Header<'_>,
        #[zbus(signal_emitter)] emitter: SignalEmitter<'_>,
    ) -> i32 {
        self.change(
            Change::Register,
            "RegisterGameByPID",
            pid,
            requester,
            conn,
            &header,
            &emitter,
        )
        .await
    }

    #[zbus(name = "UnregisterGameByPID")]
    async fn unregister_game_by_pid(
        &self,
        requester: i32,
        pid: i32,
        #[zbus(connection)] conn: &zbus::Connection,
        #[zbus(header)] header: Header<'_>,
        #[zbus(signal_emitter)] emitter: SignalEmitter<'_>,
    ) -> i32 {
        self.change(
            Change::Unregister,
            "UnregisterGameByPID",
            pid,
            requester,
            conn,
            &header,
            &emitter,
        )
        .await
    }

    #[zbus(name = "QueryStatusByPID")]
    async fn query_status_by_pid(&self, requester: i32, pid: i32) -> i32 {
        lock(&self.registry).query(pid, requester)
    }

    /// What libgamemode 1.7 calls first: pidfds of `(game, requester)`.
    #[zbus(name = "RegisterGameByPIDFd")]
    async fn register_game_by_pidfd(
        &self,
        game: OwnedFd,
        requester: OwnedFd,
        #[zbus(connection)] conn: &zbus::Connection,
        #[zbus(header)] header: Header<'_>,
        #[zbus(signal_emitter)] emitter: SignalEmitter<'_>,
    ) -> i32 {
        let (pid, req) = (pid_of_pidfd(&game), pid_of_pidfd(&requester));
        self.change(
            Change::Register,
            "RegisterGameByPIDFd",
            pid,
            req,
            conn,
            &header,
            &emitter,
        )
        .await
    }

    #[zbus(name = "UnregisterGameByPIDFd")]
    async fn unregister_game_by_pidfd(
        &self,
        game: OwnedFd,
        requester: OwnedFd,
        #[zbus(connection)] conn: &zbus::Connection,
        #[zbus(header)] header: Header<'_>,
        #[zbus(signal_emitter)] emitter: SignalEmitter<'_>,
    ) -> i32 {
        let (pid, req) = (pid_of_pidfd(&game), pid_of_pidfd(&requester));
        self.change(
            Change::Unregister,
            "UnregisterGameByPIDFd",
            pid,
            req,
            conn,
            &header,
            &emitter,
        )
        .await
    }

    #[zbus(name = "QueryStatusByPIDFd")]
    async fn query_status_by_pidfd(&self, game: OwnedFd, requester: OwnedFd) -> i32 {
        let (pid, req) = (pid_of_pidfd(&game), pid_of_pidfd(&requester));
        if pid == 0 || req == 0 {
            return -1;
        }
        lock(&self.registry).query(pid, req)
    }

    /// The registered games and their object paths.
    async fn list_games(&self) -> Vec<(i32, OwnedObjectPath)> {
        lock(&self.registry)
            .games()
            .map(|g| (g.pid, game_path(g.pid)))
            .collect()
    }

    /// There is no GameMode configuration file to reload: 0, as GameMode answers.
    async fn refresh_config(&self) -> i32 {
        0
    }

    #[zbus(property)]
    async fn client_count(&self) -> i32 {
        i32::try_from(lock(&self.registry).count()).unwrap_or(i32::MAX)
    }

    #[zbus(signal)]
    async fn game_registered(
        emitter: &SignalEmitter<'_>,
        pid: i32,
        path: ObjectPath<'_>,
    ) -> zbus::Result<()>;

    #[zbus(signal)]
    async fn game_unregistered(
        emitter: &SignalEmitter<'_>,
        pid: i32,
        path: ObjectPath<'_>,
    ) -> zbus::Result<()>;
}

/// The running service; dropping it leaves the bus (and gives the name back).
pub struct GameModeService {
    conn: zbus::blocking::Connection,
    registry: Arc<Mutex<Registry>>,
    status: GameModeStatus,
    last_check: Instant,
    address: Option<String>,
    /// Watches the requests for the name while serving (None: the bus allows no monitor).
    watch: Option<NameWatch>,
    /// Queued requesters already reported.
    reported: HashSet<String>,
}

/// `pid N` of a bus name's connection, or the bus name itself.
fn describe(conn: &zbus::blocking::Connection, name: &str) -> String {
    let pid = zbus::names::BusName::try_from(name).ok().and_then(|n| {
        zbus::blocking::fdo::DBusProxy::new(conn)
            .ok()?
            .get_connection_unix_process_id(n)
            .ok()
    });
    pid.map_or_else(|| name.to_string(), |p| format!("pid {p}"))
}

fn bus_error(what: &str) -> impl FnOnce(zbus::Error) -> HostError + '_ {
    move |e| HostError::Bus {
        message: format!("{what}: {e}"),
    }
}

impl GameModeService {
    /// Connects, serves the interface at [`OBJECT_PATH`] and asks for [`BUS_NAME`] without
    /// queueing. `GAMEMODE_UNAVAILABLE` when the bus cannot be reached; a name someone else
    /// owns is not an error: the status says who.
    pub fn start(options: GameModeOptions, registry: Registry) -> Result<Self, HostError> {
        let registry = Arc::new(Mutex::new(registry));
        let iface = GameModeInterface {
            registry: Arc::clone(&registry),
        };
        let builder = match &options.address {
            Some(a) => zbus::blocking::connection::Builder::address(a.as_str()),
            None => zbus::blocking::connection::Builder::session(),
        }
        .map_err(bus_error("no session bus (DBUS_SESSION_BUS_ADDRESS)"))?;
        let conn = builder
            .serve_at(OBJECT_PATH, iface)
            .and_then(|b| b.build())
            .map_err(bus_error("connecting to the session bus"))?;
        let mut service = GameModeService {
            conn,
            registry,
            status: GameModeStatus {
                serving: false,
                other: None,
                message: String::new(),
            },
            last_check: Instant::now(),
            address: options.address.clone(),
            watch: None,
            reported: HashSet::new(),
        };
        service.status = service.ask_for_name()?;
        service.start_watch();
        Ok(service)
    }

    /// While serving, watches who else asks for the name.
    fn start_watch(&mut self) {
        if !self.status.serving || self.watch.is_some() {
            return;
        }
        let own = self
            .conn
            .unique_name()
            .map(|n| n.to_string())
            .unwrap_or_default();
        let conn = self.conn.clone();
        self.watch = NameWatch::start(self.address.as_deref(), own, move |name| {
            describe(&conn, name)
        });
    }

    /// Asks for the name (never queued, never replacing) and says where that leaves us. A
    /// name someone owns is a status; any other failure (the bus's policy forbids owning it)
    /// is `GAMEMODE_UNAVAILABLE`.
    fn ask_for_name(&self) -> Result<GameModeStatus, HostError> {
        let reply = self
            .conn
            .request_name_with_flags(BUS_NAME, RequestNameFlags::DoNotQueue.into());
        match reply {
            Ok(RequestNameReply::PrimaryOwner | RequestNameReply::AlreadyOwner) => {
                Ok(GameModeStatus {
                    serving: true,
                    other: None,
                    message: format!(
                        "serving {BUS_NAME}: GameMode clients (gamemoderun, libgamemode) register games as the priority workload"
                    ),
                })
            }
            // `Exists` comes back as NameTaken; `InQueue` cannot with DoNotQueue.
            Ok(RequestNameReply::Exists | RequestNameReply::InQueue)
            | Err(zbus::Error::NameTaken) => {
                let owner = self.owner_of_name();
                Ok(GameModeStatus {
                    serving: false,
                    message: format!(
                        "{BUS_NAME} is owned by {} (gamemoded?): not taken; GameMode clients are served by it, not by gamesa",
                        owner.as_deref().unwrap_or("another process")
                    ),
                    other: owner,
                })
            }
            Err(e) => Err(bus_error("asking for the name")(e)),
        }
    }

    fn proxy(&self) -> Option<zbus::blocking::fdo::DBusProxy<'_>> {
        zbus::blocking::fdo::DBusProxy::new(&self.conn).ok()
    }

    fn owner_of_name(&self) -> Option<String> {
        let owner = self
            .proxy()?
            .get_name_owner(zbus::names::BusName::try_from(BUS_NAME).ok()?)
            .ok()?;
        Some(describe(&self.conn, owner.as_str()))
    }

    /// Others queued for the name behind us.
    fn queued_others(&self) -> Vec<String> {
        let me = self.conn.unique_name().map(|n| n.to_string());
        let Some(proxy) = self.proxy() else {
            return Vec::new();
        };
        let Ok(name) = zbus::names::WellKnownName::try_from(BUS_NAME) else {
            return Vec::new();
        };
        proxy
            .list_queued_owners(name)
            .unwrap_or_default()
            .into_iter()
            .filter(|n| Some(n.to_string()) != me)
            .map(|n| describe(&self.conn, n.as_str()))
            .collect()
    }

    /// Where the service stands now.
    pub fn status(&self) -> &GameModeStatus {
        &self.status
    }

    /// The registry (games, audit).
    pub fn registry(&self) -> MutexGuard<'_, Registry> {
        lock(&self.registry)
    }

    /// Reaps games whose process exited (signalling each as unregistered), checks the name
    /// now and then, and returns what happened since the previous poll.
    pub fn poll(&mut self) -> GameModeReport {
        let expired = lock(&self.registry).reap();
        if !expired.is_empty()
            && let Ok(iface) = self
                .conn
                .object_server()
                .interface::<_, GameModeInterface>(OBJECT_PATH)
        {
            let emitter = iface.signal_emitter();
            for pid in &expired {
                let _ = zbus::block_on(GameModeInterface::game_unregistered(
                    emitter,
                    *pid,
                    game_path(*pid).as_ref(),
                ));
            }
            let _ = zbus::block_on(iface.get().client_count_changed(emitter));
        }
        let mut status_changed = false;
        let mut conflicts = self.watch.as_ref().map(NameWatch::take).unwrap_or_default();
        if self.conn.is_closed() {
            // The bus went away (its daemon ended): no client can reach us any more. The games
            // registered stay until they exit (reaped above through /proc).
            let lost = GameModeStatus {
                serving: false,
                other: None,
                message: "the session bus connection was lost: GameMode clients are not served any more; the games registered stay priority until they exit".into(),
            };
            status_changed = lost != self.status;
            self.status = lost;
        } else if self.last_check.elapsed() >= NAME_CHECK_EVERY {
            self.last_check = Instant::now();
            if self.status.serving {
                // Requesters that queue for the name (the watch sees them ask, too).
                for other in self.queued_others() {
                    if self.reported.insert(other.clone()) && !conflicts.contains(&other) {
                        conflicts.push(other);
                    }
                }
            } else if self.owner_of_name().is_none() {
                // The owner left: the name is free, taking it fights no one.
                let next = self.ask_for_name().unwrap_or_else(|_| self.status.clone());
                status_changed = next != self.status;
                self.status = next;
                self.start_watch();
            }
        }
        let mut registry = lock(&self.registry);
        GameModeReport {
            status: self.status.clone(),
            status_changed,
            conflicts,
            events: registry.take_events(),
            games: registry.games().cloned().collect(),
        }
    }
}
