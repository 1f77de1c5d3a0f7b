//! The asynchronous state machine every mirror resource goes through.
//!
//! ```text
//! (create) -> Creating -> Created
//! Created --(update, add/remove sources, rule change)--> Modifying -> Created
//! Created --(delete)--> Deleting -> (gone)
//! ```
//! A resource leaves its transitional status when the change settles: when every agent concerned
//! has applied it, or after the settle delay when none is.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Status {
    Creating,
    Created,
    Modifying,
    Deleting,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Creating => "Creating",
            Status::Created => "Created",
            Status::Modifying => "Modifying",
            Status::Deleting => "Deleting",
        }
    }

    /// Only a settled resource accepts another change.
    pub fn is_settled(self) -> bool {
        self == Status::Created
    }

    /// What the resource becomes once its pending change settles: `None` means it is gone.
    pub fn settled(self) -> Option<Status> {
        match self {
            Status::Deleting => None,
            _ => Some(Status::Created),
        }
    }
}

/// The status a change starts in: settled at once when there is nothing to wait for.
pub fn transitional(wanted: Status, settle_now: bool) -> Status {
    if settle_now { Status::Created } else { wanted }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settling() {
        assert_eq!(Status::Creating.settled(), Some(Status::Created));
        assert_eq!(Status::Modifying.settled(), Some(Status::Created));
        assert_eq!(Status::Deleting.settled(), None);
        assert!(Status::Created.is_settled());
        assert!(!Status::Modifying.is_settled());
    }
}
