//! Reading customers and events from files (`nurture replay`).
