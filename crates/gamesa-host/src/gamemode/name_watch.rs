//! Who else asks the bus for GameMode's name while gamesa holds it. `gamemoded` 1.7 asks
//! without queueing, is told the name exists, and exits: nothing stays behind to see. So a
//! monitor connection (`BecomeMonitor`, allowed to the bus's own user and root) watches the
//! `RequestName` calls for the name, and each one from someone else is a conflict to report.
//! Where the bus does not allow monitoring, only the queued requests are seen
//! ([`super::GameModeService::poll`] lists them).

use super::service::BUS_NAME;
use std::sync::{Arc, Mutex};
use zbus::blocking::Connection;

/// A running watch; dropping it closes the monitor connection, which ends its thread.
pub struct NameWatch {
    monitor: Option<Connection>,
    seen: Arc<Mutex<Vec<String>>>,
}

impl NameWatch {
    /// Starts watching on a new connection to `address` (the session bus when `None`).
    /// `describe` turns a requester's unique name into what the report shows. `None` when the
    /// bus refuses a monitor.
    pub fn start(
        address: Option<&str>,
        own_name: String,
        describe: impl Fn(&str) -> String + Send + 'static,
    ) -> Option<NameWatch> {
        let builder = match address {
            Some(a) => zbus::blocking::connection::Builder::address(a),
            None => zbus::blocking::connection::Builder::session(),
        };
        let monitor = builder.ok()?.build().ok()?;
        let rule = zbus::MatchRule::builder()
            .msg_type(zbus::message::Type::MethodCall)
            .interface("org.freedesktop.DBus")
            .ok()?
            .member("RequestName")
            .ok()?
            .arg(0, BUS_NAME)
            .ok()?
            .build();
        zbus::blocking::fdo::MonitoringProxy::new(&monitor)
            .ok()?
            .become_monitor(&[rule], 0)
            .ok()?;
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&seen);
        let messages = zbus::blocking::MessageIterator::from(monitor.clone());
        std::thread::Builder::new()
            .name("gamesa-gamemode-watch".into())
            .spawn(move || {
                // Ends when the connection closes (the watch was dropped) or fails.
                for message in messages {
                    let Ok(message) = message else { break };
                    // The connection also receives the bus's own messages to it (NameLost
                    // when it became a monitor): only a RequestName for the name counts.
                    let header = message.header();
                    let asks = header.message_type() == zbus::message::Type::MethodCall
                        && header.member().is_some_and(|m| m.as_str() == "RequestName")
                        && message
                            .body()
                            .deserialize::<(String, u32)>()
                            .is_ok_and(|(name, _)| name == BUS_NAME);
                    let Some(sender) = header.sender().map(|s| s.to_string()) else {
                        continue;
                    };
                    if !asks || sender == own_name {
                        continue;
                    }
                    let line = describe(&sender);
                    sink.lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .push(line);
                }
            })
            .ok()?;
        Some(NameWatch {
            monitor: Some(monitor),
            seen,
        })
    }

    /// The requesters seen since the previous call.
    pub fn take(&self) -> Vec<String> {
        std::mem::take(
            &mut *self
                .seen
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }
}

impl Drop for NameWatch {
    fn drop(&mut self) {
        if let Some(m) = self.monitor.take() {
            let _ = m.close();
        }
    }
}
