//! Chat turns: a turn is a task that builds the context, streams from the agent's provider
//! into a hub, and persists the answer; HTTP responses only read the hub.

pub mod attachments;
pub mod context;
pub mod events;
pub mod hub;
pub mod limits;
pub mod recovery;
pub mod titles;
pub mod turn;
pub mod upstream;
