//! Host-side I/O for GAMESA: files today, actuators later.
