// description: Create an empty projection graph (a user whose visible cases hold no committed case).
RETURN 0 AS empty
